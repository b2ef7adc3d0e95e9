namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>
/// The page-side half of <see cref="BehaviourControls"/>: the init script that notes which elements get click
/// listeners, the finder that picks the controls without a role, and the selector engine that resolves their refs.
/// They share one registry on the page's global object (a page could tamper with it, as it can move its elements).
/// </summary>
internal static class ControlScripts
{
    /// <summary>The selector engine for behaviour refs: <c>opera-ref=c3</c>.</summary>
    public const string SelectorEngineName = "opera-ref";

    /// <summary>Refs of controls found by behaviour look like <c>c3</c> (Playwright's look like <c>e12</c>, <c>f1e3</c>).</summary>
    public const string RefPrefix = "c";

    private const string Registry = """
        const registry = globalThis[Symbol.for('opera-studio.controls')] || (() => {
          const created = { listened: new WeakSet(), ids: new WeakMap(), refs: new Map(), next: 0 };
          Object.defineProperty(globalThis, Symbol.for('opera-studio.controls'), { value: created });
          return created;
        })();
        """;

    /// <summary>
    /// Runs before any page script (context init script): marks elements that get a click, mousedown or pointerdown
    /// listener. Not strict mode on purpose: an unbound <c>addEventListener(...)</c> call then still means the window.
    /// </summary>
    public const string MarkListeners = "(() => {\n" + Registry + """

          const kinds = new Set(['click', 'mousedown', 'pointerdown', 'mouseup', 'pointerup']);
          const original = EventTarget.prototype.addEventListener;
          const addEventListener = function addEventListener(type, listener, options) {
            if (this && this.nodeType === 1 && kinds.has(String(type))) registry.listened.add(this);
            return original.call(this, type, listener, options);
          };
          Object.defineProperty(addEventListener, 'toString', { value: () => original.toString() });
          EventTarget.prototype.addEventListener = addEventListener;
        })();
        """;

    /// <summary>
    /// Finds the controls that have no interactive role: elements with a click listener or handler, a pointer cursor
    /// their parent does not have (so descendants inheriting it do not count), or a tabindex. Only the innermost such
    /// element that holds no other control or interactive element (a container delegating clicks is not a control),
    /// nothing inside a button, link or field, nothing invisible. Each gets a ref, stable while the element lives;
    /// returns their refs, viewport boxes (rounded as Playwright rounds them) and texts.
    /// </summary>
    public const string Find = "(max) => {\n" + Registry + """

          const roles = new Set(['button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'option',
            'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab', 'switch', 'slider', 'spinbutton', 'treeitem', 'scrollbar']);
          const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'svg', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED']);
          const interactive = el => {
            const role = (el.getAttribute('role') || '').trim().split(/\s+/)[0].toLowerCase();
            if (roles.has(role)) return true;
            switch (el.tagName) {
              case 'A': case 'AREA': return el.hasAttribute('href');
              case 'BUTTON': case 'SELECT': case 'TEXTAREA': case 'SUMMARY': case 'OPTION': case 'LABEL': return true;
              case 'INPUT': return el.type !== 'hidden';
              case 'VIDEO': case 'AUDIO': return el.hasAttribute('controls');
              default: return el.isContentEditable && el.parentElement && !el.parentElement.isContentEditable;
            }
          };
          const handler = el => typeof el.onclick === 'function' || typeof el.onmousedown === 'function' || typeof el.onpointerdown === 'function';
          const signalled = (el, cursor, parentCursor) => {
            if (el === document.body || el === document.documentElement) return false;
            if (handler(el) || (el.hasAttribute('tabindex') && el.tabIndex >= 0)) return true;
            if (cursor === 'pointer' && parentCursor !== 'pointer') return true;
            // A listener on a big subtree is a framework delegating clicks, not a control.
            return registry.listened.has(el) && el.getElementsByTagName('*').length <= 50;
          };
          const found = [];
          const visit = (el, parentCursor) => {
            if (skip.has(el.tagName) || found.length >= max) return false;
            const style = getComputedStyle(el);
            if (style.display === 'none') return false;
            if (interactive(el)) return true;
            const own = signalled(el, style.cursor, parentCursor);
            let inner = false;
            for (const child of el.children) inner = visit(child, style.cursor) || inner;
            if (el.shadowRoot) for (const child of el.shadowRoot.children) inner = visit(child, style.cursor) || inner;
            if (own && !inner && style.visibility === 'visible') found.push(el);
            return own || inner;
          };
          if (document.body) visit(document.body, '');
          registry.refs = new Map();
          const result = [];
          for (const el of found) {
            const r = el.getBoundingClientRect();
            if (r.width <= 0 || r.height <= 0) continue;
            let ref = registry.ids.get(el);
            if (!ref) registry.ids.set(el, ref = 'c' + (++registry.next));
            registry.refs.set(ref, el);
            const text = (el.innerText || el.getAttribute('aria-label') || el.getAttribute('title') || '').replace(/\s+/g, ' ').trim();
            result.push({ ref, x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height), text: text.slice(0, 200) });
          }
          return result;
        }
        """;

    /// <summary>Resolves a behaviour ref against the latest <see cref="Find"/> (like <c>aria-ref</c> against the latest snapshot).</summary>
    public const string SelectorEngine = """
        (() => {
          const queryAll = (root, selector) => {
            const registry = globalThis[Symbol.for('opera-studio.controls')];
            const el = registry && registry.refs.get(selector.trim());
            return el && el.isConnected && (root.nodeType === 9 || root === el || root.contains(el)) ? [el] : [];
          };
          return { queryAll, query: (root, selector) => queryAll(root, selector)[0] || null };
        })()
        """;
}
