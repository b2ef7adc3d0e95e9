using System.Text;
using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// Fetches a page's favicon inside the remote browser — through the page's own network stack, so the URL policy's
/// filtering proxy decides as for any request of the page — and hands it on as a data: URI. The viewer's browser
/// then shows the icon without ever requesting an address a page chose (which could be on the viewer's network).
/// </summary>
public static class FaviconLoader
{
    /// <summary>Larger icons are not shown: the data travels in every tab update.</summary>
    public const int MaxBytes = 32 * 1024;

    /// <summary>The icon at <paramref name="url"/> as a data:image URI, or null (refused, missing, too large, not an image).</summary>
    public static async Task<string?> LoadAsync(ICDPSession cdp, string frameId, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            return null;
        }

        var response = await cdp.SendAsync("Network.loadNetworkResource", new()
        {
            ["frameId"] = frameId,
            ["url"] = url,
            ["options"] = new Dictionary<string, object> { ["disableCache"] = false, ["includeCredentials"] = false },
        });
        if (response is not { } r || !r.TryGetProperty("resource", out var resource)
            || !resource.GetProperty("success").GetBoolean() || !resource.TryGetProperty("stream", out var streamHandle))
        {
            return null;
        }

        var stream = streamHandle.GetString()!;
        try
        {
            var bytes = await ReadAtMostAsync(cdp, stream, MaxBytes + 1);
            var declared = resource.TryGetProperty("headers", out var headers)
                ? headers.EnumerateObject().FirstOrDefault(h => h.Name.Equals("content-type", StringComparison.OrdinalIgnoreCase)).Value.ToString()
                : "";
            return bytes.Length is 0 or > MaxBytes || ImageType(declared, bytes) is not { } type
                ? null
                : $"data:{type};base64,{Convert.ToBase64String(bytes)}";
        }
        finally
        {
            await cdp.SendAsync("IO.close", new() { ["handle"] = stream });
        }
    }

    private static async Task<byte[]> ReadAtMostAsync(ICDPSession cdp, string stream, int limit)
    {
        using var buffer = new MemoryStream();
        while (buffer.Length < limit)
        {
            var chunk = (await cdp.SendAsync("IO.read", new() { ["handle"] = stream, ["size"] = limit }))!.Value;
            var data = chunk.GetProperty("data").GetString() ?? "";
            var bytes = chunk.TryGetProperty("base64Encoded", out var encoded) && encoded.GetBoolean()
                ? Convert.FromBase64String(data)
                : Encoding.UTF8.GetBytes(data);
            buffer.Write(bytes);
            if (chunk.TryGetProperty("eof", out var eof) && eof.GetBoolean())
            {
                break;
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The image type to label the data with: from its first bytes, else an image type the server declared.</summary>
    private static string? ImageType(string declared, byte[] bytes)
    {
        ReadOnlySpan<byte> head = bytes;
        if (head.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47 }))
        {
            return "image/png";
        }

        if (head.StartsWith(new byte[] { 0, 0, 1, 0 }))
        {
            return "image/x-icon";
        }

        if (head.StartsWith("GIF8"u8))
        {
            return "image/gif";
        }

        if (head.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF }))
        {
            return "image/jpeg";
        }

        if (head.Length > 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        var type = declared.Split(';')[0].Trim().ToLowerInvariant();
        // SVG in an <img> runs no script; other declared image types are shown as the server labels them.
        return type is "image/svg+xml" or "image/png" or "image/x-icon" or "image/vnd.microsoft.icon" or "image/gif" or "image/jpeg"
            or "image/webp" or "image/avif" or "image/bmp" ? type : null;
    }
}
