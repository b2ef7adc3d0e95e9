namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>The JavaScript the tools run in the page (read-only probes and readers; they never change the page).</summary>
internal static class PageScripts
{
    /// <summary>What clicking this element would do: submit a form with a password field, start a download, follow a link.</summary>
    public const string ClickProbe = """
        (e) => {
          const form = e.form || e.closest('form');
          const type = (e.getAttribute('type') || '').toLowerCase();
          const submitter = (e.tagName === 'BUTTON' && (type === '' || type === 'submit'))
            || (e.tagName === 'INPUT' && (type === 'submit' || type === 'image'));
          const a = e.closest('a[href]');
          return {
            passwordSubmit: !!form && submitter && !!form.querySelector('input[type=password]'),
            download: !!a && a.hasAttribute('download'),
            href: a ? a.href : null,
          };
        }
        """;

    /// <summary>Whether Enter in this element (or the focused one) submits a form with a password field.</summary>
    public const string EnterProbe = """
        (e) => {
          const el = e || document.activeElement;
          const form = el && (el.form || (el.closest && el.closest('form')));
          return !!form && !!form.querySelector('input[type=password]');
        }
        """;

    /// <summary>An element as a short phrase for messages: its tag, id or role, and the start of its text.</summary>
    public const string DescribeElement = """
        (e) => {
          const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
          const tag = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
          return text ? `${tag} "${text.length > 40 ? text.slice(0, 40) + '…' : text}"` : tag;
        }
        """;

    public const string Scroll = """
        (d) => {
          const h = innerHeight * 0.8, w = innerWidth * 0.8;
          const by = { down: [0, h], up: [0, -h], right: [w, 0], left: [-w, 0] }[d];
          if (by) scrollBy(by[0], by[1]);
          if (d === 'top') scrollTo(scrollX, 0);
          if (d === 'bottom') scrollTo(scrollX, document.documentElement.scrollHeight);
          return [Math.round(scrollY), Math.round(document.documentElement.scrollHeight), Math.round(innerHeight)];
        }
        """;

    public const string Text = "() => document.body ? document.body.innerText : ''";

    /// <summary>The visible page as Markdown: headings, paragraphs, links, lists, tables, code, quotes.</summary>
    public const string Markdown = """
        () => {
          const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'HEAD', 'IFRAME', 'CANVAS']);
          const blocks = new Set(['P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'HEADER', 'FOOTER', 'NAV', 'ASIDE', 'FORM',
            'UL', 'OL', 'LI', 'TABLE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR', 'DL', 'DT', 'DD', 'FIGURE', 'FIELDSET']);
          const visible = el => !el.checkVisibility || el.checkVisibility();
          const squash = s => s.replace(/\s+/g, ' ');
          const inline = node => {
            if (node.nodeType === Node.TEXT_NODE) return squash(node.textContent);
            if (node.nodeType !== Node.ELEMENT_NODE || skip.has(node.tagName) || !visible(node)) return '';
            const inner = () => [...node.childNodes].map(inline).join('');
            switch (node.tagName) {
              case 'A': { const t = inner().trim(); return node.href && t ? `[${t}](${node.href})` : t; }
              case 'STRONG': case 'B': { const t = inner().trim(); return t ? `**${t}**` : ''; }
              case 'EM': case 'I': { const t = inner().trim(); return t ? `*${t}*` : ''; }
              case 'CODE': return '`' + node.textContent + '`';
              case 'IMG': return node.alt ? `![${node.alt}](${node.src})` : '';
              case 'BR': return '\n';
              case 'INPUT': case 'TEXTAREA': case 'SELECT': return node.type === 'password' ? '' : (node.value ? ` [${node.value}] ` : '');
              default: return inner();
            }
          };
          const out = [];
          const emit = s => { const t = s.trim(); if (t) out.push(t); };
          const table = t => {
            const rows = [...t.rows].map(r => [...r.cells].map(c => squash(inline(c)).trim().replace(/\|/g, '\\|')));
            if (!rows.length) return;
            const width = Math.max(...rows.map(r => r.length));
            const line = r => '| ' + [...r, ...Array(width - r.length).fill('')].join(' | ') + ' |';
            emit([line(rows[0]), line(Array(width).fill('---')), ...rows.slice(1).map(line)].join('\n'));
          };
          const block = (el, depth) => {
            if (skip.has(el.tagName) || !visible(el)) return;
            const tag = el.tagName;
            if (/^H[1-6]$/.test(tag)) return emit('#'.repeat(+tag[1]) + ' ' + squash(inline(el)).trim());
            if (tag === 'TABLE') return table(el);
            if (tag === 'PRE') return emit('```\n' + el.innerText + '\n```');
            if (tag === 'HR') return emit('---');
            if (tag === 'UL' || tag === 'OL') {
              [...el.children].filter(li => li.tagName === 'LI').forEach((li, i) => {
                const own = [...li.childNodes].filter(n => !(n.nodeType === 1 && (n.tagName === 'UL' || n.tagName === 'OL')));
                emit('  '.repeat(depth) + (tag === 'OL' ? `${i + 1}. ` : '- ') + squash(own.map(inline).join('')).trim());
                li.querySelectorAll(':scope > ul, :scope > ol').forEach(sub => block(sub, depth + 1));
              });
              return;
            }
            if (tag === 'BLOCKQUOTE') return emit('> ' + squash(inline(el)).trim());
            const hasBlocks = [...el.children].some(c => blocks.has(c.tagName));
            if (!hasBlocks) return emit(squash(inline(el)));
            let run = '';
            for (const child of el.childNodes) {
              if (child.nodeType === 1 && blocks.has(child.tagName)) { emit(squash(run)); run = ''; block(child, depth); }
              else run += inline(child);
            }
            emit(squash(run));
          };
          if (document.body) block(document.body, 0);
          return (document.title ? `# ${document.title}\n\n` : '') + out.join('\n\n');
        }
        """;

    /// <summary>
    /// Reads data shaped like a JSON Schema out of the page, as strings (typed afterwards): arrays of objects from the
    /// table (HTML or ARIA) whose column headers match the properties, scalars from labelled values (itemprop,
    /// data-field, name, id, dt/dd, two-cell rows, labels, "Key: value" text), arrays of strings from the list that
    /// follows a matching heading.
    /// </summary>
    public const string Extract = """
        (schemaText) => {
          const schema = JSON.parse(schemaText);
          const norm = s => String(s ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '');
          const text = el => (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
          const typeOf = s => Array.isArray(s?.type) ? s.type.find(t => t !== 'null') : (s?.type ?? (s?.properties ? 'object' : s?.items ? 'array' : undefined));
          const names = (key, s) => [key, s?.title].filter(Boolean).map(norm).filter(Boolean);
          const matches = (label, key, s) => {
            const h = norm(label);
            return !!h && names(key, s).some(n => n === h || (n.length > 2 && h.length > 2 && (h.startsWith(n) || n.startsWith(h))));
          };
          const tables = [];
          for (const t of document.querySelectorAll('table')) {
            const rows = [...t.rows];
            const headerRow = (t.tHead && t.tHead.rows[0]) || rows.find(r => r.cells.length && [...r.cells].every(c => c.tagName === 'TH'));
            const headers = headerRow ? [...headerRow.cells].map(text) : [];
            const body = rows.filter(r => r !== headerRow && !(t.tHead && t.tHead.contains(r)) && [...r.cells].some(c => c.tagName === 'TD'));
            tables.push({ headers, rows: body.map(r => [...r.cells].map(text)) });
          }
          for (const g of document.querySelectorAll('[role=table], [role=grid]')) {
            const rows = [...g.querySelectorAll('[role=row]')];
            const headerRow = rows.find(r => r.querySelector('[role=columnheader]'));
            const headers = headerRow ? [...headerRow.querySelectorAll('[role=columnheader]')].map(text) : [];
            tables.push({ headers, rows: rows.filter(r => r !== headerRow).map(r => [...r.querySelectorAll('[role=cell], [role=gridcell]')].map(text)) });
          }
          const rowsFrom = item => {
            const props = Object.entries(item?.properties ?? {});
            let best = null, bestScore = 0;
            for (const t of tables) {
              const cols = [];
              for (const [key, s] of props) {
                const i = t.headers.findIndex(h => matches(h, key, s));
                if (i >= 0) cols.push([key, i]);
              }
              if (cols.length > bestScore) { best = { t, cols }; bestScore = cols.length; }
            }
            if (!best) return undefined;
            return best.t.rows.filter(cells => cells.length).map(cells => Object.fromEntries(best.cols.filter(([, i]) => i < cells.length).map(([k, i]) => [k, cells[i]])));
          };
          const listFrom = (key, s) => {
            for (const el of document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading], caption, dt, label, strong, p')) {
              if (!matches(text(el).replace(/:$/, ''), key, s)) continue;
              let next = el.nextElementSibling;
              for (let hops = 0; next && hops < 3; hops++, next = next.nextElementSibling) {
                if (next.tagName === 'UL' || next.tagName === 'OL') return [...next.querySelectorAll(':scope > li')].map(text);
              }
            }
            return undefined;
          };
          const scalar = (key, s) => {
            const hit = label => matches(String(label).replace(/:$/, ''), key, s);
            for (const el of document.querySelectorAll('[itemprop], [data-field], [name], [id]')) {
              for (const a of ['itemprop', 'data-field', 'name', 'id']) {
                if (el.hasAttribute(a) && norm(el.getAttribute(a)) === norm(key)) {
                  if (el.type === 'checkbox') return el.checked;
                  if ('value' in el && el.tagName !== 'BUTTON' && el.tagName !== 'LI') return el.type === 'password' ? undefined : el.value;
                  return el.getAttribute('content') ?? text(el);
                }
              }
            }
            for (const dt of document.querySelectorAll('dt')) if (hit(text(dt)) && dt.nextElementSibling) return text(dt.nextElementSibling);
            for (const r of document.querySelectorAll('tr')) { const c = [...r.cells]; if (c.length === 2 && hit(text(c[0]))) return text(c[1]); }
            for (const l of document.querySelectorAll('label')) {
              const c = l.control;
              if (c && hit(text(l))) return c.type === 'checkbox' ? c.checked : (c.type === 'password' ? undefined : c.value);
            }
            for (const el of document.querySelectorAll('body *')) {
              if (el.children.length) continue;
              const m = /^(.{1,60}?)\s*:\s*(.+)$/.exec(text(el));
              if (m && hit(m[1])) return m[2];
            }
            if (norm(key) === 'title') return document.title;
            return undefined;
          };
          const build = (key, s) => {
            const t = typeOf(s);
            if (t === 'array') return typeOf(s.items) === 'object' ? rowsFrom(s.items) : listFrom(key, s);
            if (t === 'object') {
              const o = {};
              for (const [k, ps] of Object.entries(s.properties ?? {})) { const v = build(k, ps); if (v !== undefined) o[k] = v; }
              return o;
            }
            return scalar(key, s);
          };
          const result = build('', schema);
          return result === undefined ? null : result;
        }
        """;
}
