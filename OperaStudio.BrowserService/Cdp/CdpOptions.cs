namespace OperaStudio.BrowserService.Cdp;

/// <summary>Section <c>Cdp</c>: the CDP endpoint at <c>/cdp/{sessionId}</c> for Playwright and Puppeteer scripts.</summary>
public sealed class CdpOptions
{
    public const string SectionName = "Cdp";

    /// <summary>
    /// Launches every pooled Chromium with a DevTools port on loopback (chosen by Chromium) for the endpoint to relay to.
    /// Off: no port is opened and <c>/cdp</c> answers 404.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
