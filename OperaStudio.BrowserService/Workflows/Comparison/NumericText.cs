using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>
/// Numbers as pages show them: JSON numbers, and strings such as <c>"$1,299.00"</c>, <c>"1299 USD"</c>, <c>"−5"</c> or
/// <c>"15%"</c>. A string with anything else around its digits (<c>"WH-1000XM5"</c>, <c>"4.5 of 5"</c>) is text, so an
/// identifier that happens to hold digits is not compared as a number.
/// </summary>
public static partial class NumericText
{
    /// <summary>The value as a number, or null when it is not one.</summary>
    public static double? Read(JsonNode? value)
    {
        if (value is not JsonValue scalar)
        {
            return null;
        }

        return scalar.GetValueKind() switch
        {
            // Parsed from its JSON text: a JsonValue made from an int will not hand out a double.
            JsonValueKind.Number => double.Parse(scalar.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.String => Parse(scalar.GetValue<string>()),
            _ => null,
        };
    }

    /// <summary>The text as a number, or null when it is not one.</summary>
    public static double? Parse(string text)
    {
        var match = Number().Match(text.Replace('\u2212', '-').Replace('\u00A0', ' '));
        if (!match.Success)
        {
            return null;
        }

        var digits = match.Groups["number"].Value.Replace(",", "", StringComparison.Ordinal);
        if (!double.TryParse(digits, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        // A sign written before the currency symbol ("-$5") counts as the number's own.
        return match.Groups["sign"].Value == "-" ? -number : number;
    }

    // At most one currency symbol or code ("$", "US$", "USD", "Rs.") before and one after (or a percent sign);
    // thousands separators only in groups of three. A lone letter before digits ("X100") is a name, not a price.
    [GeneratedRegex(@"^\s*(?<sign>[-+])?\s*(?:\p{Sc}|[A-Z]{3}|[A-Z]{1,2}\$|Rs\.?)?\s*(?<number>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)\s*(?:\p{Sc}|[A-Z]{3}|%|kr|zł)?\s*$")]
    private static partial Regex Number();
}
