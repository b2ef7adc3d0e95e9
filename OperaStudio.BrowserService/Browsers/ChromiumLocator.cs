namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// Finds the Chromium to drive: the configured path, then Playwright's own install, then the usual system
/// paths (Debian's chromium package). Playwright cannot download its browser on machines without internet.
/// </summary>
public static class ChromiumLocator
{
    public const string InstallHint = "Install it (sudo apt-get install -y chromium) or set Browsers__ExecutablePath to a Chromium or Chrome binary.";

    private static readonly string[] SystemPaths =
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
        "/snap/bin/chromium",
    ];

    /// <summary>The executable, or null when none is installed.</summary>
    public static string? Find(string? configuredPath = null)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return File.Exists(configuredPath) ? configuredPath : null;
        }

        return FindPlaywrightChromium() ?? SystemPaths.FirstOrDefault(File.Exists);
    }

    public static string FindOrThrow(string? configuredPath = null) =>
        Find(configuredPath) ?? throw new InvalidOperationException(
            configuredPath is { Length: > 0 }
                ? $"Chromium was not found at the configured path {configuredPath}. {InstallHint}"
                : $"Chromium was not found. {InstallHint}");

    /// <summary>A browser installed by `playwright install` (~/.cache/ms-playwright/chromium-*/chrome-linux*/chrome).</summary>
    private static string? FindPlaywrightChromium()
    {
        var root = Environment.GetEnvironmentVariable("PLAYWRIGHT_BROWSERS_PATH") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ms-playwright");
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root, "chromium-*")
            .OrderByDescending(dir => dir, StringComparer.Ordinal)
            .SelectMany(dir => new[] { Path.Combine(dir, "chrome-linux64", "chrome"), Path.Combine(dir, "chrome-linux", "chrome") })
            .FirstOrDefault(File.Exists);
    }
}
