namespace OperaStudio.BrowserService.Browsers;

// The browser's own DevTools WebSocket (Chromium launched with --remote-debugging-port=0, see Cdp/DevToolsPort): the
// CDP endpoint relays each client to it. Chromium picks the port and writes it, with the browser's WebSocket path, to
// DevToolsActivePort in its user data directory, which Playwright chooses; the browser's command line names it.
public sealed partial class PooledBrowser
{
    private Task<Uri?>? _devTools;

    /// <summary>ws://127.0.0.1:port/devtools/browser/…; null when Chromium was not launched with a debugging port.</summary>
    public Task<Uri?> DevToolsUrlAsync() => _devTools ??= FindDevToolsUrlAsync();

    /// <summary>The browser context a target belongs to; null when Chromium does not know the target.</summary>
    public async Task<string?> ContextOfTargetAsync(string targetId)
    {
        try
        {
            var info = await _targets!.SendAsync("Target.getTargetInfo", new() { ["targetId"] = targetId });
            return info is { } i && i.GetProperty("targetInfo").TryGetProperty("browserContextId", out var context) ? context.GetString() : null;
        }
        catch (Microsoft.Playwright.PlaywrightException)
        {
            return null;
        }
    }

    private async Task<Uri?> FindDevToolsUrlAsync()
    {
        // Playwright sets no --enable-automation, so Browser.getBrowserCommandLine is refused: the browser process's
        // own command line (its pid from SystemInfo) names the user data directory instead.
        string[] arguments;
        try
        {
            var processes = await _targets!.SendAsync("SystemInfo.getProcessInfo");
            var pid = processes!.Value.GetProperty("processInfo").EnumerateArray()
                .Where(p => p.GetProperty("type").GetString() == "browser").Select(p => p.GetProperty("id").GetInt32()).FirstOrDefault();
            arguments = pid > 0 ? (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0') : [];
        }
        catch (Exception ex) when (ex is Microsoft.Playwright.PlaywrightException or IOException or UnauthorizedAccessException or KeyNotFoundException)
        {
            LogDevToolsNotFound(ex, Index);
            return null;
        }

        if (!arguments.Any(a => a.StartsWith("--remote-debugging-port=", StringComparison.Ordinal))
            || arguments.FirstOrDefault(a => a.StartsWith("--user-data-dir=", StringComparison.Ordinal)) is not { } dataDir)
        {
            return null;
        }

        var file = Path.Combine(dataDir["--user-data-dir=".Length..], "DevToolsActivePort");
        // Written as the port opens, which is before Playwright's pipe answers; a few tries cover a slow disk.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (File.Exists(file) && (await File.ReadAllLinesAsync(file)) is [var port, var path, ..] && int.TryParse(port, out var number))
            {
                return new Uri($"ws://127.0.0.1:{number}{path}");
            }

            await Task.Delay(100);
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chromium {Index}: its DevTools port could not be found; the CDP endpoint cannot reach its sessions")]
    private partial void LogDevToolsNotFound(Exception exception, int index);
}
