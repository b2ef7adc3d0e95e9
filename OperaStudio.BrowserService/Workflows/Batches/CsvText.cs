using System.Text;

namespace OperaStudio.BrowserService.Workflows.Batches;

/// <summary>CSV as spreadsheets write it (RFC 4180): commas, quoted cells with doubled quotes and line breaks inside.</summary>
public static class CsvText
{
    /// <summary>The rows of <paramref name="text"/>, each a list of cells; a byte-order mark and blank lines are skipped.</summary>
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    row.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRow();
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }

        EndRow();
        return rows;

        void EndRow()
        {
            row.Add(cell.ToString());
            cell.Clear();
            if (row.Any(v => v.Length > 0))
            {
                rows.Add(row);
            }

            row = [];
        }
    }

    /// <summary>One CSV line: cells with a comma, quote or line break (or spaces at an end) are quoted.</summary>
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell));

    private static string Cell(string? value)
    {
        value ??= "";
        var needsQuotes = value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || (value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])));
        return needsQuotes ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
