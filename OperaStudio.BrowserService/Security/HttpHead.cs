using System.Text;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// One HTTP/1.x message head, start line and fields, read from a stream up to <see cref="MaxBytes"/>. Whatever
/// arrived after the blank line is kept in <see cref="Rest"/>: the start of a body, or of tunnelled bytes.
/// </summary>
internal sealed class HttpHead
{
    public const int MaxBytes = 32 * 1024;

    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private HttpHead(string startLine, List<KeyValuePair<string, string>> fields, ReadOnlyMemory<byte> rest)
    {
        StartLine = startLine;
        Fields = fields;
        Rest = rest;
    }

    public string StartLine { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    public ReadOnlyMemory<byte> Rest { get; }

    /// <summary>Every value of the field, in order; HTTP names are case-insensitive.</summary>
    public IEnumerable<string> Values(string name) =>
        Fields.Where(field => field.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(field => field.Value);

    /// <summary>Reads a head, starting with bytes already read past a previous one.</summary>
    public static async Task<HttpHeadRead> ReadAsync(Stream stream, ReadOnlyMemory<byte> alreadyRead, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBytes];
        alreadyRead.CopyTo(buffer);
        var filled = alreadyRead.Length;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf(EndOfHead);
            if (end >= 0)
            {
                return Parse(buffer, end, filled);
            }

            if (filled == buffer.Length)
            {
                return new HttpHeadRead(HttpHeadStatus.TooLarge, null, $"the head is over {MaxBytes / 1024} KB");
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return filled == 0
                    ? new HttpHeadRead(HttpHeadStatus.Closed, null, "the connection closed")
                    : new HttpHeadRead(HttpHeadStatus.Malformed, null, "the connection closed in the middle of a head");
            }

            filled += read;
        }
    }

    private static HttpHeadRead Parse(byte[] buffer, int end, int filled)
    {
        // Latin-1 maps every byte to one char, so headers round-trip unchanged when sent on.
        var lines = Encoding.Latin1.GetString(buffer, 0, end).Split("\r\n");
        var first = lines.TakeWhile(line => line.Length == 0).Count(); // empty lines before a request are allowed
        if (first == lines.Length || lines.Any(line => line.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0))
        {
            return Malformed("the head has no start line or stray control characters");
        }

        var fields = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(first + 1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
            {
                return Malformed($"'{Shorten(line)}' is not a header field");
            }

            fields.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        var rest = buffer.AsSpan((end + EndOfHead.Length)..filled).ToArray();
        return new HttpHeadRead(HttpHeadStatus.Complete, new HttpHead(lines[first], fields, rest), null);
    }

    /// <summary>RFC 9110 token characters: a method or a field name.</summary>
    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static HttpHeadRead Malformed(string error) => new(HttpHeadStatus.Malformed, null, error);

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
