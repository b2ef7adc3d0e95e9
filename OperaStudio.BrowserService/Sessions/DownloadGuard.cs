using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// Keeps a session's downloads within the limits — per download, per session, and the node's free-disk floor —
/// while they download. Playwright reports a download only when it ends, so this listens to Chromium itself
/// (Page.downloadWillBegin/downloadProgress on the CDP session of each tab and out-of-process frame): a download
/// whose announced or received size passes a limit is cancelled at once, and why is kept for the panel.
/// When a download ends, <see cref="TryKeep"/> checks the finished file again (a fast one can end before its cancel).
/// </summary>
public sealed class DownloadGuard(SessionOptions options, PooledBrowser browser, string downloadsDirectory)
{
    private readonly ConcurrentDictionary<string, Underway> _underway = new(StringComparer.Ordinal);
    private readonly List<Refusal> _refusals = [];
    private readonly Lock _gate = new();
    private long _keptBytes;
    private string? _contextId;

    /// <summary>Listens to the downloads a page (or an out-of-process frame) starts.</summary>
    public void Watch(ICDPSession cdp)
    {
        cdp.Event("Page.downloadWillBegin").OnEvent += (_, e) => OnBegin(e);
        cdp.Event("Page.downloadProgress").OnEvent += (_, e) => OnProgress(cdp, e);
    }

    /// <summary>Why the download of <paramref name="url"/> as <paramref name="suggestedName"/> was cancelled, once; null if it was not.</summary>
    public string? TakeRefusal(string url, string suggestedName)
    {
        lock (_gate)
        {
            var index = _refusals.FindIndex(r => r.Url == url && r.SuggestedName == suggestedName);
            if (index < 0)
            {
                return null;
            }

            var reason = _refusals[index].Reason;
            _refusals.RemoveAt(index);
            return reason;
        }
    }

    /// <summary>Counts a finished file against the session's budget; false, and why, when it may not be kept.</summary>
    public bool TryKeep(long bytes, out string? refusal)
    {
        lock (_gate)
        {
            refusal = Check(bytes, otherBytes: _keptBytes, extraDiskBytes: bytes);
            if (refusal is null)
            {
                _keptBytes += bytes;
            }

            return refusal is null;
        }
    }

    private void OnBegin(JsonElement? payload)
    {
        if (payload is { } e && e.TryGetProperty("guid", out var guid))
        {
            _underway[guid.GetString()!] = new Underway(e.GetProperty("url").GetString() ?? "", e.GetProperty("suggestedFilename").GetString() ?? "");
        }
    }

    private void OnProgress(ICDPSession cdp, JsonElement? payload)
    {
        if (payload is not { } e || e.GetProperty("guid").GetString() is not { } guid || !_underway.TryGetValue(guid, out var download))
        {
            return;
        }

        if (e.GetProperty("state").GetString() != "inProgress")
        {
            _underway.TryRemove(guid, out _);
            return;
        }

        // Chromium announces the size when the server says it (totalBytes, else 0): refused before it is fetched.
        var expected = Math.Max((long)e.GetProperty("totalBytes").GetDouble(), (long)e.GetProperty("receivedBytes").GetDouble());
        string? reason;
        lock (_gate)
        {
            download.Bytes = expected;
            if (download.Refused)
            {
                return;
            }

            var others = _keptBytes + _underway.Where(d => d.Key != guid && !d.Value.Refused).Sum(d => d.Value.Bytes);
            reason = Check(expected, others, extraDiskBytes: 0);
            if (reason is null)
            {
                return;
            }

            download.Refused = true;
            _refusals.Add(new Refusal(download.Url, download.SuggestedName, reason));
        }

        _ = CancelAsync(cdp, guid);
    }

    /// <summary>Null when <paramref name="bytes"/> more fit every limit; else the reason, as the panel shows it.</summary>
    private string? Check(long bytes, long otherBytes, long extraDiskBytes)
    {
        if (bytes > options.MaxDownloadBytes)
        {
            return $"Cancelled: larger than the limit of {Size(options.MaxDownloadBytes)} per download.";
        }

        if (otherBytes + bytes > options.MaxSessionDownloadBytes)
        {
            return $"Cancelled: this session's downloads would pass their limit of {Size(options.MaxSessionDownloadBytes)}.";
        }

        return FreeDiskBytes() - extraDiskBytes < options.MinFreeDiskBytes
            ? $"Cancelled: the server is low on disk space (it keeps {Size(options.MinFreeDiskBytes)} free)."
            : null;
    }

    /// <summary>Free space on the disk that holds the downloads (the nearest existing folder of it).</summary>
    private long FreeDiskBytes()
    {
        var folder = new DirectoryInfo(downloadsDirectory);
        while (folder is { Exists: false, Parent: not null })
        {
            folder = folder.Parent;
        }

        return new DriveInfo(folder.FullName).AvailableFreeSpace;
    }

    private async Task CancelAsync(ICDPSession cdp, string guid)
    {
        try
        {
            if (_contextId is null)
            {
                var info = await cdp.SendAsync("Target.getTargetInfo");
                _contextId = info!.Value.GetProperty("targetInfo").GetProperty("browserContextId").GetString();
            }

            await browser.CancelDownloadAsync(guid, _contextId!);
        }
        catch (PlaywrightException)
        {
            // The page or browser went away, and the download with it; the finished-file check still applies.
        }
    }

    private static string Size(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB");

    private sealed class Underway(string url, string suggestedName)
    {
        public string Url { get; } = url;

        public string SuggestedName { get; } = suggestedName;

        public long Bytes { get; set; }

        public bool Refused { get; set; }
    }

    private sealed record Refusal(string Url, string SuggestedName, string Reason);
}
