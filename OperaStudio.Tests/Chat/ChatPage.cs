using Microsoft.Playwright;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Chat;

/// <summary>The chat beside a session's browser panel, as the UI tests use it: its parts by test id, and what a user does.</summary>
public sealed class ChatPage(PanelPage panel)
{
    public PanelPage Panel => panel;

    public IPage Page => panel.Page;

    public ILocator Root => Page.GetByTestId("chat-panel");

    public ILocator Input => Page.GetByTestId("chat-input");

    public ILocator Send => Page.GetByTestId("chat-send");

    public ILocator Stop => Page.GetByTestId("stop-run");

    public ILocator Messages => Page.GetByTestId("chat-message");

    public ILocator Steps => Page.GetByTestId("agent-step");

    public ILocator Approvals => Page.GetByTestId("approval-card");

    public ILocator Highlight => Page.GetByTestId("element-highlight");

    public ILocator BrowserPanel => Page.GetByTestId("browser-panel");

    /// <summary>Finished messages of one role (<c>user</c>, <c>assistant</c>, <c>notice</c>), not the one being streamed.</summary>
    public ILocator Role(string role) => Page.Locator($"[data-testid='chat-message'][data-role='{role}']:not([data-streaming])");

    public ILocator Step(string tool) => Page.Locator($"[data-testid='agent-step'][data-tool='{tool}']");

    /// <summary>Types a message and sends it with Enter, as a user does.</summary>
    public async Task SendAsync(string text)
    {
        await Input.FillAsync(text);
        await Input.PressAsync("Enter");
    }

    /// <summary>
    /// Waits until the chat shows the run in <paramref name="state"/> (<c>completed</c>, <c>cancelled</c>, …). When it
    /// does not, the failure carries the service's own view of the agent, so a stale chat and a stuck run differ.
    /// </summary>
    public async Task WaitForRunAsync(string state)
    {
        try
        {
            await Expect(Root).ToHaveAttributeAsync("data-run-state", state, new() { Timeout = 60_000 });
        }
        catch (PlaywrightException ex)
        {
            var service = await panel.Web.Http.GetStringAsync($"/api/sessions/{panel.SessionId}/agent");
            // What the person would read: the transcript and any notice (a refused decision says why in a snackbar).
            var shown = await Page.EvaluateAsync<string>(
                "() => [document.querySelector('[data-testid=\"chat-transcript\"]')?.innerText ?? '(no transcript)', ...[...document.querySelectorAll('.mud-snackbar')].map(s => 'notice: ' + s.innerText)].join(' | ')");
            throw new InvalidOperationException(
                $"{ex.Message.Split('\n')[0]}; the chat shows '{await Root.GetAttributeAsync("data-run-state")}': {shown[..Math.Min(2000, shown.Length)]}. The service's agent state: {service[..Math.Min(4000, service.Length)]}", ex);
        }
    }

    /// <summary>
    /// Records the text of every streaming message the DOM ever holds (added, changed or removed), so a test can see
    /// that the answer was shown in pieces before it was complete, without timing anything.
    /// </summary>
    public Task WatchStreamingAsync() => Page.EvaluateAsync("""
        () => {
          const seen = window.__streamed = [];
          const record = (node) => {
            const el = node instanceof Element ? node : node.parentElement;
            const message = el?.closest?.('[data-streaming]') ?? (el?.querySelector?.('[data-streaming]'));
            if (message) {
              seen.push(message.textContent.trim());
            }
          };
          new MutationObserver((records) => {
            for (const r of records) {
              record(r.target);
              r.addedNodes.forEach(record);
              r.removedNodes.forEach(record);
            }
          }).observe(document.body, { childList: true, subtree: true, characterData: true });
        }
        """);

    public async Task<IReadOnlyList<string>> StreamedTextsAsync() =>
        (await Page.EvaluateAsync<string[]>("() => window.__streamed")).Where(t => t.Length > 0).Distinct().ToList();

    /// <summary>Waits until an image has loaded with real pixels.</summary>
    public static Task WaitForImageAsync(ILocator image) =>
        PanelPage.WaitForAsync(async () => await image.EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"), "the thumbnail to load");

    /// <summary>Opens the secrets menu, stores one for the site it suggests (the active tab's), and closes the menu.</summary>
    public async Task AddSecretAsync(string name, string value)
    {
        if (await Page.GetByTestId("secrets-panel").CountAsync() == 0)
        {
            await Page.GetByTestId("secrets-toggle").ClickAsync();
        }

        // The menu suggests the active tab's site; the secret is saved for it.
        await Expect(Page.GetByTestId("secret-sites")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^http"));
        await Page.GetByTestId("secret-name").FillAsync(name);
        await Page.GetByTestId("secret-value").FillAsync(value);
        await Page.GetByTestId("secret-add").ClickAsync();
        await Expect(Page.Locator($"[data-testid='secret'][data-name='{name}']")).ToBeVisibleAsync();
        await Page.GetByTestId("secrets-toggle").ClickAsync();
        await Expect(Page.GetByTestId("secrets-panel")).ToHaveCountAsync(0);
    }

    /// <summary>Where the page holds <paramref name="text"/>: its markup, or any input's current value (which markup does not show).</summary>
    public async Task<string?> FindInDomAsync(string text) =>
        await Page.EvaluateAsync<string?>("""
            text => {
              if (document.documentElement.outerHTML.includes(text)) return 'markup';
              const input = [...document.querySelectorAll('input, textarea')].find(i => (i.value || '').includes(text));
              return input ? `the value of ${input.outerHTML.slice(0, 120)}` : null;
            }
            """, text);
}
