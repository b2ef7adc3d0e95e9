using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace OperaStudio.Web.Components.Chat;

/// <summary>
/// The small Markdown the chat renders for the model's text: paragraphs and line breaks, <c>`code`</c>, fenced code
/// blocks, bullet and numbered lists, <c>**bold**</c>, <c>*italic*</c>, headings (as bold lines), and links — written
/// <c>[text](https://…)</c> or bare — that open in a new tab with <c>rel="noopener noreferrer"</c>. It never emits
/// markup from the text: the text is parsed into blocks and inlines, and rendered as elements whose content Blazor
/// escapes, so HTML in the model's answer shows as the characters it is.
/// </summary>
internal static partial class ChatMarkdown
{
    /// <summary>The model's text as elements.</summary>
    public static RenderFragment Render(string text, bool configurationAsCode = false) =>
        Render(Parse(text, configurationAsCode));

    public static RenderFragment Render(IReadOnlyList<MdBlock> blocks) => builder =>
    {
        foreach (var block in blocks)
        {
            RenderBlock(builder, block);
        }
    };

    /// <summary>
    /// Splits <paramref name="text"/> into blocks. With <paramref name="configurationAsCode"/>, environment variables
    /// and configuration keys (<c>GEMINI_API_KEY=&lt;key&gt;</c>, <c>Agent__Provider=OpenAI</c>, <c>Agent:ApiKey</c>)
    /// become code, as the service's setup instructions want them read.
    /// </summary>
    public static IReadOnlyList<MdBlock> Parse(string text, bool configurationAsCode = false)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<MdBlock>();
        var paragraph = new List<string>();
        List<List<MdInline>>? items = null;
        var ordered = false;

        void EndParagraph()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new MdParagraph(ParseLines(paragraph, configurationAsCode)));
                paragraph.Clear();
            }
        }

        void EndList()
        {
            if (items is not null)
            {
                blocks.Add(new MdList(ordered, items));
                items = null;
            }
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                EndParagraph();
                EndList();
                var language = trimmed[3..].Trim();
                var code = new StringBuilder();
                for (i++; i < lines.Length && !lines[i].Trim().StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Append(code.Length > 0 ? "\n" : "").Append(lines[i]);
                }

                blocks.Add(new MdCode(language.Length == 0 ? null : language, code.ToString()));
                continue;
            }

            if (trimmed.Length == 0)
            {
                EndParagraph();
                EndList();
                continue;
            }

            if (ListItem().Match(line) is { Success: true } item)
            {
                EndParagraph();
                var isOrdered = char.IsDigit(item.Groups["marker"].Value[0]);
                if (items is not null && isOrdered != ordered)
                {
                    EndList();
                }

                ordered = isOrdered;
                items ??= [];
                items.Add([.. ParseInline(item.Groups["text"].Value, configurationAsCode)]);
                continue;
            }

            if (items is not null && line.StartsWith(' '))
            {
                // A list item's continuation line.
                items[^1].Add(new MdText(" "));
                items[^1].AddRange(ParseInline(trimmed, configurationAsCode));
                continue;
            }

            if (Heading().Match(trimmed) is { Success: true } heading)
            {
                EndParagraph();
                EndList();
                blocks.Add(new MdHeading(ParseInline(heading.Groups["text"].Value, configurationAsCode)));
                continue;
            }

            EndList();
            paragraph.Add(trimmed);
        }

        EndParagraph();
        EndList();
        return blocks;
    }

    private static List<MdInline> ParseLines(List<string> lines, bool configurationAsCode)
    {
        var inlines = new List<MdInline>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                inlines.Add(new MdBreak());
            }

            inlines.AddRange(ParseInline(lines[i], configurationAsCode));
        }

        return inlines;
    }

    /// <summary>One line's inlines: code spans first (nothing inside them is parsed), then bold, italic and links.</summary>
    public static List<MdInline> ParseInline(string text, bool configurationAsCode = false)
    {
        var result = new List<MdInline>();
        var plain = new StringBuilder();

        void Flush()
        {
            if (plain.Length > 0)
            {
                result.Add(new MdText(plain.ToString()));
                plain.Clear();
            }
        }

        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '`')
            {
                var run = 1;
                while (i + run < text.Length && text[i + run] == '`')
                {
                    run++;
                }

                var fence = new string('`', run);
                var close = text.IndexOf(fence, i + run, StringComparison.Ordinal);
                if (close > i + run)
                {
                    Flush();
                    result.Add(new MdCodeSpan(text[(i + run)..close].Trim()));
                    i = close + run;
                    continue;
                }

                plain.Append(fence);
                i += run;
                continue;
            }

            if (configurationAsCode && char.IsAsciiLetterUpper(c) && ConfigurationToken().Match(text, i) is { Success: true } token && token.Index == i)
            {
                var value = token.Value.TrimEnd('.', ',', ';', ':');
                Flush();
                result.Add(new MdCodeSpan(value));
                i += value.Length;
                continue;
            }

            if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var close = text.IndexOf("**", i + 2, StringComparison.Ordinal);
                if (close > i + 2 && !char.IsWhiteSpace(text[i + 2]) && !char.IsWhiteSpace(text[close - 1]))
                {
                    Flush();
                    result.Add(new MdStrong(ParseInline(text[(i + 2)..close], configurationAsCode)));
                    i = close + 2;
                    continue;
                }
            }
            else if (c == '*' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]) && (i == 0 || !char.IsLetterOrDigit(text[i - 1])))
            {
                var close = text.IndexOf('*', i + 1);
                if (close > i + 1 && !char.IsWhiteSpace(text[close - 1]) && (close + 1 == text.Length || !char.IsLetterOrDigit(text[close + 1])))
                {
                    Flush();
                    result.Add(new MdEmphasis(ParseInline(text[(i + 1)..close], configurationAsCode)));
                    i = close + 1;
                    continue;
                }
            }
            else if (c == '[' && MarkdownLink().Match(text, i) is { Success: true } link && link.Index == i && SafeHref(link.Groups["href"].Value) is { } href)
            {
                Flush();
                result.Add(new MdLink(href, ParseInline(link.Groups["text"].Value, configurationAsCode)));
                i += link.Length;
                continue;
            }
            else if ((c == 'h' || c == 'H') && (i == 0 || !char.IsLetterOrDigit(text[i - 1])) && BareUrl().Match(text, i) is { Success: true } url && url.Index == i)
            {
                var value = TrimUrl(url.Value);
                if (SafeHref(value) is { } bare)
                {
                    Flush();
                    result.Add(new MdLink(bare, [new MdText(value)]));
                    i += value.Length;
                    continue;
                }
            }

            plain.Append(c);
            i++;
        }

        Flush();
        return result;
    }

    /// <summary>Only absolute http(s) and mailto addresses become links; anything else stays text.</summary>
    private static string? SafeHref(string href) =>
        Uri.TryCreate(href.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto" ? uri.AbsoluteUri : null;

    /// <summary>A bare URL ends before trailing punctuation, and before a ')' it did not open.</summary>
    private static string TrimUrl(string url)
    {
        var end = url.Length;
        while (end > 0)
        {
            var last = url[end - 1];
            if (".,;:!?'\"".Contains(last, StringComparison.Ordinal)
                || (last == ')' && url[..end].Count(ch => ch == '(') < url[..end].Count(ch => ch == ')')))
            {
                end--;
                continue;
            }

            break;
        }

        return url[..end];
    }

    // ---- Rendering --------------------------------------------------------------------------------------------------

    private static void RenderBlock(RenderTreeBuilder builder, MdBlock block)
    {
        switch (block)
        {
            case MdParagraph paragraph:
                builder.OpenElement(0, "p");
                RenderInlines(builder, paragraph.Inlines);
                builder.CloseElement();
                break;
            case MdHeading heading:
                builder.OpenElement(1, "p");
                builder.AddAttribute(2, "class", "md-heading");
                RenderInlines(builder, heading.Inlines);
                builder.CloseElement();
                break;
            case MdCode code:
                builder.OpenElement(3, "pre");
                builder.AddAttribute(4, "class", "md-pre");
                builder.OpenElement(5, "code");
                builder.AddContent(6, code.Code);
                builder.CloseElement();
                builder.CloseElement();
                break;
            case MdList list:
                builder.OpenElement(7, list.Ordered ? "ol" : "ul");
                foreach (var item in list.Items)
                {
                    builder.OpenElement(8, "li");
                    RenderInlines(builder, item);
                    builder.CloseElement();
                }

                builder.CloseElement();
                break;
        }
    }

    private static void RenderInlines(RenderTreeBuilder builder, IReadOnlyList<MdInline> inlines)
    {
        foreach (var inline in inlines)
        {
            switch (inline)
            {
                case MdText text:
                    builder.AddContent(10, text.Text);
                    break;
                case MdBreak:
                    builder.OpenElement(11, "br");
                    builder.CloseElement();
                    break;
                case MdCodeSpan code:
                    builder.OpenElement(12, "code");
                    builder.AddContent(13, code.Code);
                    builder.CloseElement();
                    break;
                case MdStrong strong:
                    builder.OpenElement(14, "strong");
                    RenderInlines(builder, strong.Inlines);
                    builder.CloseElement();
                    break;
                case MdEmphasis emphasis:
                    builder.OpenElement(15, "em");
                    RenderInlines(builder, emphasis.Inlines);
                    builder.CloseElement();
                    break;
                case MdLink link:
                    builder.OpenElement(16, "a");
                    builder.AddAttribute(17, "href", link.Href);
                    builder.AddAttribute(18, "target", "_blank");
                    builder.AddAttribute(19, "rel", "noopener noreferrer nofollow");
                    RenderInlines(builder, link.Inlines);
                    builder.CloseElement();
                    break;
            }
        }
    }

    [GeneratedRegex(@"^\s{0,3}(?<marker>[-*+]|\d{1,3}[.)])\s+(?<text>.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\[(?<text>[^\[\]]+)\]\((?<href>[^()\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"(?i:https?|mailto):[^\s<>""`]+")]
    private static partial Regex BareUrl();

    /// <summary><c>GEMINI_API_KEY=&lt;key&gt;</c>, <c>Agent__BaseUrl=http://…</c>, <c>OPENAI_API_KEY</c>, <c>Agent:MaxSteps</c>.</summary>
    [GeneratedRegex(@"(?<![\w-])(?:[A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z][A-Za-z0-9]*__[A-Za-z0-9_]+|Agent:[A-Za-z:]+[A-Za-z])(?:=[^\s,;)]+)?")]
    private static partial Regex ConfigurationToken();
}

internal abstract record MdBlock;

internal sealed record MdParagraph(IReadOnlyList<MdInline> Inlines) : MdBlock;

internal sealed record MdHeading(IReadOnlyList<MdInline> Inlines) : MdBlock;

internal sealed record MdCode(string? Language, string Code) : MdBlock;

internal sealed record MdList(bool Ordered, IReadOnlyList<List<MdInline>> Items) : MdBlock;

internal abstract record MdInline;

internal sealed record MdText(string Text) : MdInline;

internal sealed record MdBreak : MdInline;

internal sealed record MdCodeSpan(string Code) : MdInline;

internal sealed record MdStrong(IReadOnlyList<MdInline> Inlines) : MdInline;

internal sealed record MdEmphasis(IReadOnlyList<MdInline> Inlines) : MdInline;

internal sealed record MdLink(string Href, IReadOnlyList<MdInline> Inlines) : MdInline;
