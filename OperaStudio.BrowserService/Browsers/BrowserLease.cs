using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// A browser context handed to a session, with its first page already open. Disposing closes the context
/// (its pages and their renderer processes go with it).
/// </summary>
public sealed class BrowserLease(PooledBrowser browser, IBrowserContext context, PageHandle firstPage, bool wasWarm) : IAsyncDisposable
{
    public PooledBrowser Browser { get; } = browser;

    public IBrowserContext Context { get; } = context;

    public PageHandle FirstPage { get; } = firstPage;

    /// <summary>True when it came ready from the warm pool, false when it was made on demand.</summary>
    public bool WasWarm { get; } = wasWarm;

    public bool IsUsable => Browser.IsConnected && !FirstPage.Page.IsClosed;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Context.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // The browser is already gone.
        }
    }
}
