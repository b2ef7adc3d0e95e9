using System.Globalization;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>
/// Folds what a CDP client sends into the session's history as "api" actions worth a line: a navigation with its URL, a
/// click at x,y, a burst of typing as its length (never the text). Everything else a client sends is not history.
/// </summary>
internal sealed class CdpActivity(BrowserSession session, string user, HistoryRecorder history)
{
    private const string Detail = """{"via":"cdp"}""";
    private static readonly TimeSpan TypingPause = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private int _typed;
    private string? _typedTab;
    private DateTimeOffset _lastTyped;

    /// <summary>A page-level command the relay forwarded, from the page with this target id.</summary>
    public void Sent(string method, JsonObject? parameters, string? targetId)
    {
        var tabId = targetId is null ? null : session.Tabs.FirstOrDefault(t => t.Handle.TargetId == targetId)?.Id;
        switch (method)
        {
            case "Page.navigate" when CdpJson.Text(parameters, "url") is { } url:
                Record(tabId, "navigate", url);
                break;
            case "Page.reload":
                Record(tabId, "reload", null);
                break;
            case "Page.navigateToHistoryEntry":
                Record(tabId, "history", null);
                break;
            case "Input.dispatchMouseEvent" when CdpJson.Text(parameters, "type") == "mousePressed":
                Record(tabId, "click", string.Create(CultureInfo.InvariantCulture, $"at {Number(parameters!, "x"):0},{Number(parameters!, "y"):0}"));
                break;
            case "Input.insertText" when CdpJson.Text(parameters, "text") is { Length: > 0 } text:
                Typed(tabId, text.Length);
                break;
            case "Input.dispatchKeyEvent" when CdpJson.Text(parameters, "type") is "keyDown" or "char"
                && CdpJson.Text(parameters, "text") is { Length: > 0 } text && !char.IsControl(text[0]):
                Typed(tabId, text.Length);
                break;
        }
    }

    /// <summary>Writes a typing burst that has gone quiet (or every one, when the client leaves).</summary>
    public void Flush(bool all)
    {
        (string? Tab, int Count) burst;
        lock (_gate)
        {
            if (_typed == 0 || (!all && session.Time.GetUtcNow() - _lastTyped < TypingPause))
            {
                return;
            }

            burst = (_typedTab, _typed);
            _typed = 0;
        }

        history.Action(session.Id, burst.Tab, Actor.Api, "type", $"{burst.Count} character(s)", "ok", Detail, user);
    }

    private void Typed(string? tabId, int characters)
    {
        lock (_gate)
        {
            if (_typed > 0 && _typedTab != tabId)
            {
                Flush(all: true);
            }

            _typedTab = tabId;
            _typed += characters;
            _lastTyped = session.Time.GetUtcNow();
        }
    }

    private void Record(string? tabId, string kind, string? target)
    {
        Flush(all: true);
        history.Action(session.Id, tabId, Actor.Api, kind, target, "ok", Detail, user);
    }

    private static double Number(JsonObject parameters, string name) =>
        parameters[name] is JsonValue value && value.TryGetValue<double>(out var number) ? number : 0;
}
