using System.Text;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// Makes text from outside — URLs, titles, page text, names, model output — storable in PostgreSQL, which refuses a
/// NUL in <c>text</c> (22021) and <c>\u0000</c> in <c>jsonb</c> (22P05), and lone UTF-16 surrogates (Npgsql cannot
/// encode them; jsonb refuses their escapes). NUL is dropped, a lone surrogate becomes U+FFFD, and text longer than
/// its column is clipped without splitting a surrogate pair. <see cref="OperaDbContext"/> applies this to every
/// string column, so no writer can forget it.
/// </summary>
public static class StoredText
{
    private const char Replacement = '\uFFFD';

    /// <summary>The converter for one column: plain text (clipped to <paramref name="maxLength"/>), or JSON.</summary>
    public static ValueConverter<string, string> Converter(int? maxLength, bool json) =>
        json
            ? new ValueConverter<string, string>(value => CleanJson(value), value => value)
            : new ValueConverter<string, string>(value => Clean(value, maxLength), value => value);

    /// <summary>Text without NUL or lone surrogates, at most <paramref name="maxLength"/> UTF-16 units long.</summary>
    public static string Clean(string text, int? maxLength = null)
    {
        if (IsClean(text) && (maxLength is not { } max || text.Length <= max))
        {
            return text;
        }

        var limit = maxLength ?? int.MaxValue;
        var builder = new StringBuilder(Math.Min(text.Length, limit));
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (builder.Length + 2 > limit)
                {
                    break;
                }

                builder.Append(c).Append(text[++i]);
                continue;
            }

            if (builder.Length + 1 > limit)
            {
                break;
            }

            builder.Append(char.IsSurrogate(c) ? Replacement : c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// JSON text whose string escapes PostgreSQL's jsonb accepts: <c>\u0000</c> and an escaped lone surrogate become
    /// <c>\uFFFD</c> (other escapes, such as <c>\\u0000</c>, an escaped backslash, stay as they are).
    /// </summary>
    public static string CleanJson(string json)
    {
        var text = Clean(json);
        if (!text.Contains("\\u", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                builder.Append(text[i]);
                continue;
            }

            if (text[i + 1] != 'u' || EscapedUnit(text, i) is not { } unit)
            {
                builder.Append(text, i, 2); // \\, \", \n ...: copied whole, so the next character is not misread
                i++;
                continue;
            }

            if (char.IsHighSurrogate(unit) && EscapedUnit(text, i + 6) is { } low && char.IsLowSurrogate(low))
            {
                builder.Append(text, i, 12);
                i += 11;
                continue;
            }

            builder.Append(unit == '\0' || char.IsSurrogate(unit) ? "\\uFFFD" : text.Substring(i, 6));
            i += 5;
        }

        return builder.ToString();
    }

    private static bool IsClean(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    /// <summary>The UTF-16 unit of a <c>\uXXXX</c> escape starting at <paramref name="at"/>, if there is one.</summary>
    private static char? EscapedUnit(string text, int at) =>
        at + 6 <= text.Length && text[at] == '\\' && text[at + 1] == 'u'
        && ushort.TryParse(text.AsSpan(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var unit)
            ? (char)unit
            : null;
}
