namespace OperaStudio.BrowserService.Security;

/// <summary>How a URL is about to be used; data: and blob: are fine inside a page but not as the page itself.</summary>
public enum UrlUse
{
    /// <summary>Typed in the address bar, asked for by the agent or the API, or opened as a pop-up.</summary>
    TopLevel,

    /// <summary>Loaded by a page: images, scripts, frames, fetch, WebSockets.</summary>
    Subresource,
}
