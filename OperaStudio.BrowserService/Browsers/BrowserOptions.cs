using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>The Chromium pool: how many browsers, how many ready contexts, the default viewport. Section <c>Browsers</c>.</summary>
public sealed class BrowserOptions : IValidatableObject
{
    public const string SectionName = "Browsers";

    /// <summary>Chromium or Chrome to drive; empty finds one (Playwright's install, then /usr/bin/chromium, ...).</summary>
    public string? ExecutablePath { get; set; }

    /// <summary>Long-lived Chromium processes; sessions are contexts spread over them.</summary>
    [Range(1, 16)]
    public int BrowserCount { get; set; } = 1;

    /// <summary>Contexts kept ready with a page on the start page, so a new session takes milliseconds.</summary>
    [Range(0, 64)]
    public int WarmContexts { get; set; } = 2;

    [Range(320, 3840)]
    public int ViewportWidth { get; set; } = 1280;

    [Range(240, 2160)]
    public int ViewportHeight { get; set; } = 720;

    /// <summary>Upper bound on the device pixel ratio a viewer may ask for (pixels cost encode time).</summary>
    [Range(1.0, 3.0)]
    public double MaxDeviceScaleFactor { get; set; } = 2.0;

    public bool Headless { get; set; } = true;

    /// <summary>
    /// Chromium's popup blocker, as in a normal browser: window.open without a user gesture (a click, a key) opens
    /// nothing. Playwright turns it off by default; a page could otherwise open windows at will.
    /// </summary>
    public bool BlockPopups { get; set; } = true;

    /// <summary>
    /// Chromium's sandbox (renderers in namespaces under a seccomp filter). When the service runs as root, Chromium
    /// runs as <see cref="SandboxAccount"/>; when no sandbox can work, it runs without and the service warns at start.
    /// </summary>
    public bool Sandbox { get; set; } = true;

    /// <summary>
    /// Refuse to run Chromium without its sandbox: instead of falling back to --no-sandbox (with a warning) when no
    /// sandbox can work, the service fails at start and says why. For clusters, where the fallback would go unseen.
    /// </summary>
    public bool RequireSandbox { get; set; }

    /// <summary>The unprivileged account Chromium runs as when the service is root; made (useradd --system) if missing.</summary>
    [RegularExpression("^[a-z_][a-z0-9_-]{0,31}$")]
    public string SandboxAccount { get; set; } = "opera-browser";

    /// <summary>Extra Chromium switches, e.g. <c>--lang=de</c>.</summary>
    public string[] ExtraArguments { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ExecutablePath) && !File.Exists(ExecutablePath))
        {
            yield return new ValidationResult(
                $"Browsers:ExecutablePath '{ExecutablePath}' does not exist. {ChromiumLocator.InstallHint}", [nameof(ExecutablePath)]);
        }

        if (ExtraArguments.Any(arg => !arg.StartsWith("--", StringComparison.Ordinal)))
        {
            yield return new ValidationResult("Browsers:ExtraArguments entries must be Chromium switches starting with --.", [nameof(ExtraArguments)]);
        }

        if (RequireSandbox && ExtraArguments.Any(arg => arg.Equals("--no-sandbox", StringComparison.OrdinalIgnoreCase)))
        {
            yield return new ValidationResult(
                "Browsers:ExtraArguments holds --no-sandbox while Browsers:RequireSandbox is true; remove one of them.", [nameof(ExtraArguments)]);
        }
    }
}
