using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Browser;

/// <summary>
/// The panel's state and actions. The JS module (<c>BrowserPanel.razor.js</c>) owns the hub connection, the canvas
/// and the status line, and calls the <c>[JSInvokable]</c> methods here only for infrequent events; toolbar and tab
/// actions go through the sessions API (<see cref="BrowserServiceClient"/>), whose changes come back as events. The
/// agent's events pass through to the chat (<c>BrowserPanel.Agent.cs</c>).
/// </summary>
public sealed partial class BrowserPanel : IAsyncDisposable
{
    private readonly Dictionary<string, DialogDto> _dialogs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _fileChoosers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _crashed = new(StringComparer.Ordinal);
    private ElementReference _root;
    private ElementReference _canvas;
    private ElementReference _status;
    private DotNetObjectReference<BrowserPanel>? _self;
    private IJSObjectReference? _module;
    private IJSObjectReference? _live;
    private List<TabDto> _tabs = [];
    private List<DownloadDto> _downloads = [];
    private string _activeTabId = "";

    /// <summary>How many times the person picked a tab: an answer that comes after a newer pick does not undo it.</summary>
    private int _tabChoices;

    private string _connection = "connecting";
    private string? _addressError;
    private string? _endedReason;
    private string? _restoringReason;
    private BlockedNavigation? _blocked;
    private bool _firstFrame;
    private bool _navigating;
    private bool _tabBusy;
    private bool _disposed;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private BrowserServiceClient Api { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    /// <summary>The session as the page loaded it; the panel follows its changes from then on.</summary>
    [Parameter, EditorRequired]
    public SessionDto Session { get; set; } = null!;

    private TabDto? ActiveTab => _tabs.Find(t => t.Id == _activeTabId) ?? _tabs.FirstOrDefault();

    private bool IsLoading => _navigating || ActiveTab?.IsLoading == true;

    private string InitializingText => _connection switch
    {
        "disconnected" => "Cannot reach the live view yet; retrying…",
        "connected" => "Waiting for the first picture of the page…",
        _ => "Connecting to the live view…",
    };

    protected override void OnInitialized() => ApplySession(Session);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        _self = DotNetObjectReference.Create(this);
        _me = await WhoAmIAsync();
        try
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./Components/Browser/BrowserPanel.razor.js");
            _live = await _module.InvokeAsync<IJSObjectReference>("start", _root, _canvas, _status, _self, Session.Id, _me);
        }
        catch (JSDisconnectedException)
        {
            return;
        }

        await PushAgentAsync();

        var downloads = await Api.ListDownloadsAsync(Session.Id);
        if (downloads.Value is { } list && !_disposed)
        {
            _downloads = [.. list];
            StateHasChanged();
        }
    }

    // ---- Events from the live view (JS) ----------------------------------------------------------------------------

    [JSInvokable]
    public void OnSessionChanged(SessionDto session)
    {
        ApplySession(session);
        StateHasChanged();
    }

    [JSInvokable]
    public void OnTabUpdated(TabDto tab)
    {
        var index = _tabs.FindIndex(t => t.Id == tab.Id);
        if (index < 0)
        {
            return; // A tab we do not know yet; SessionChanged brings it with its latest state.
        }

        _tabs[index] = tab;
        if (tab.IsCrashed)
        {
            _crashed.Add(tab.Id);
        }
        else
        {
            _crashed.Remove(tab.Id);
        }

        StateHasChanged();
    }

    [JSInvokable]
    public void OnTabCrashed(string tabId)
    {
        _crashed.Add(tabId);
        _dialogs.Remove(tabId);
        _fileChoosers.Remove(tabId);
        StateHasChanged();
    }

    [JSInvokable]
    public void OnDialogOpened(DialogDto dialog)
    {
        _dialogs[dialog.TabId] = dialog;
        StateHasChanged();
    }

    [JSInvokable]
    public void OnDialogClosed(string tabId)
    {
        if (_dialogs.Remove(tabId))
        {
            StateHasChanged();
        }
    }

    [JSInvokable]
    public void OnFileChooserOpened(string tabId, bool multiple)
    {
        _fileChoosers[tabId] = multiple;
        StateHasChanged();
    }

    [JSInvokable]
    public void OnDownloadFinished(DownloadDto download)
    {
        _downloads = [.. _downloads.Where(d => d.Id != download.Id), download];
        if (download.Error is { } error)
        {
            Snackbar.Add($"Download of {download.FileName} failed: {error}", Severity.Error);
        }
        else
        {
            var href = BrowserServiceClient.DownloadPath(Session.Id, download.Id);
            Snackbar.Add(DownloadSnack(download, href), Severity.Success, options => options.VisibleStateDuration = 8000);
        }

        StateHasChanged();
    }

    [JSInvokable]
    public void OnNavigationBlocked(string tabId, string url, string reason)
    {
        _blocked = new BlockedNavigation(tabId, url, reason);
        _navigating = false;
        StateHasChanged();
    }

    [JSInvokable]
    public void OnSessionEnded(string reason)
    {
        _endedReason = reason;
        StateHasChanged();
    }

    /// <summary>The session stopped here but comes back (crash, restart, idle release); the module is re-joining.</summary>
    [JSInvokable]
    public void OnSessionRestoring(string reason)
    {
        _restoringReason = reason;
        StateHasChanged();
    }

    [JSInvokable]
    public void OnSessionRestored()
    {
        _restoringReason = null;
        _crashed.Clear();
        StateHasChanged();
    }

    [JSInvokable]
    public void OnJoinFailed(string message)
    {
        _endedReason = message;
        StateHasChanged();
    }

    [JSInvokable]
    public void OnConnectionChanged(string state)
    {
        _connection = state;
        StateHasChanged();
    }

    [JSInvokable]
    public void OnFirstFrame()
    {
        _firstFrame = true;
        StateHasChanged();
    }

    // ---- Actions ----------------------------------------------------------------------------------------------------

    private async Task ActivateTabAsync(string tabId)
    {
        if (tabId == _activeTabId)
        {
            await FocusCanvasAsync();
            return;
        }

        _activeTabId = tabId; // Switch at once; the server's SessionChanged confirms.
        _tabChoices++;
        _addressError = null;
        // The answer's snapshot is not applied: it can arrive after live events that are newer (a crash right after
        // the switch would be undone). The hub's SessionChanged carries the same switch, in order.
        var result = await Api.ActivateTabAsync(Session.Id, tabId);
        if (result.Value is null)
        {
            ShowProblem("Could not switch tabs", result.Problem);
        }

        await FocusCanvasAsync();
    }

    private async Task CloseTabAsync(string tabId)
    {
        _tabBusy = true;
        var result = await Api.CloseTabAsync(Session.Id, tabId);
        _tabBusy = false;
        if (!result.IsSuccess)
        {
            ShowProblem("Could not close the tab", result.Problem);
        }
    }

    private async Task NewTabAsync()
    {
        _tabBusy = true;
        var choices = _tabChoices;
        var result = await Api.OpenTabAsync(Session.Id);
        _tabBusy = false;
        if (result.Value is { } tab)
        {
            _addressError = null;
            if (_tabs.All(t => t.Id != tab.Id))
            {
                _tabs.Add(tab);
            }

            // The hub can show the new tab before this answer comes; a tab the person picked meanwhile stays theirs (a
            // late answer switched a loaded panel back to the new tab).
            if (_tabChoices != choices)
            {
                return;
            }

            _activeTabId = tab.Id;
            if (_live is not null)
            {
                await _live.InvokeVoidAsync("focusAddressBar");
            }
        }
        else
        {
            ShowProblem("Could not open a tab", result.Problem);
        }
    }

    private async Task NavigateAsync(string address)
    {
        if (ActiveTab is not { } tab)
        {
            return;
        }

        _addressError = null;
        _blocked = null;
        _navigating = true;
        StateHasChanged();
        var result = await Api.NavigateAsync(Session.Id, tab.Id, address);
        _navigating = false;
        if (result.Value is { } updated)
        {
            OnTabUpdated(updated);
            await FocusCanvasAsync();
        }
        else
        {
            _addressError = result.Problem?.Message ?? "The address could not be opened.";
        }
    }

    private void ClearAddressError() => _addressError = null;

    private Task GoBackAsync() => HistoryAsync(Api.GoBackAsync, "Could not go back");

    private Task GoForwardAsync() => HistoryAsync(Api.GoForwardAsync, "Could not go forward");

    private Task ReloadAsync() => HistoryAsync(Api.ReloadAsync, "Could not reload");

    private async Task HistoryAsync(Func<string, string, CancellationToken, Task<ApiResult<TabDto>>> move, string failure)
    {
        if (ActiveTab is not { } tab)
        {
            return;
        }

        _addressError = null;
        _navigating = true;
        StateHasChanged();
        var result = await move(Session.Id, tab.Id, CancellationToken.None);
        _navigating = false;
        if (result.Value is { } updated)
        {
            OnTabUpdated(updated);
            await FocusCanvasAsync();
        }
        else
        {
            ShowProblem(failure, result.Problem);
        }
    }

    private async Task AnswerDialogAsync(DialogAnswer answer)
    {
        if (ActiveTab is not { } tab)
        {
            return;
        }

        _dialogs.Remove(tab.Id);
        var result = await Api.AnswerDialogAsync(Session.Id, tab.Id, answer.Accept, answer.PromptText);
        if (!result.IsSuccess && result.Problem?.Status != 409)
        {
            ShowProblem("Could not answer the dialog", result.Problem);
        }

        await FocusCanvasAsync();
    }

    private async Task<string?> UploadAsync(ElementReference input)
    {
        if (ActiveTab is not { } tab || _live is null)
        {
            return "The panel is not connected.";
        }

        var error = await _live.InvokeAsync<string?>("upload", input, tab.Id);
        if (error is null)
        {
            // Called by the child through a delegate, not an EventCallback: re-render here by hand.
            _fileChoosers.Remove(tab.Id);
            StateHasChanged();
            await FocusCanvasAsync();
        }

        return error;
    }

    private async Task CancelUploadAsync()
    {
        if (ActiveTab is not { } tab || _live is null)
        {
            return;
        }

        _fileChoosers.Remove(tab.Id);
        StateHasChanged();
        await _live.InvokeAsync<string?>("cancelUpload", tab.Id);
        await FocusCanvasAsync();
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private void ApplySession(SessionDto session)
    {
        var previous = _activeTabId;
        _tabs = [.. session.Tabs];
        _activeTabId = session.ActiveTabId;
        // Events arrive in the order the service published them, so this snapshot is the latest word on crashes.
        _crashed.Clear();
        _crashed.UnionWith(_tabs.Where(t => t.IsCrashed).Select(t => t.Id));
        var ids = _tabs.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _dialogs.Keys.Where(id => !ids.Contains(id)).ToList())
        {
            _dialogs.Remove(gone);
        }

        foreach (var gone in _fileChoosers.Keys.Where(id => !ids.Contains(id)).ToList())
        {
            _fileChoosers.Remove(gone);
        }

        if (previous != _activeTabId)
        {
            _addressError = null;
        }
    }

    private async Task FocusCanvasAsync()
    {
        if (_live is not null && !_disposed)
        {
            try
            {
                await _live.InvokeVoidAsync("focus");
            }
            catch (JSDisconnectedException)
            {
                // The page is gone.
            }
        }
    }

    /// <summary>"closed by the user" → "Closed by the user." (the service's reasons are phrases).</summary>
    private static string Sentence(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return "The session ended.";
        }

        trimmed = char.ToUpperInvariant(trimmed[0]) + trimmed[1..];
        return trimmed.EndsWith('.') || trimmed.EndsWith('!') || trimmed.EndsWith('?') ? trimmed : trimmed + ".";
    }

    private void ShowProblem(string what, ApiProblem? problem) =>
        Snackbar.Add(problem is null ? what : $"{what}: {problem.Message}", Severity.Error);

    private static RenderFragment DownloadSnack(DownloadDto download, string href) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddContent(1, "Downloaded ");
        builder.OpenElement(2, "a");
        builder.AddAttribute(3, "href", href);
        builder.AddAttribute(4, "download", download.FileName);
        builder.AddAttribute(5, "class", "snack-link");
        builder.AddAttribute(6, "data-testid", "download-snack-link");
        builder.AddContent(7, download.FileName);
        builder.CloseElement();
        builder.AddContent(8, $" ({TabDisplay.Size(download.SizeBytes)})");
        builder.CloseElement();
    };

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        UnsubscribeAgent();
        try
        {
            if (_live is not null)
            {
                await _live.InvokeVoidAsync("dispose");
                await _live.DisposeAsync();
            }

            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }

        _self?.Dispose();
    }

    private sealed record BlockedNavigation(string TabId, string Url, string Reason);
}

/// <summary>The user's answer to a JavaScript dialog.</summary>
public readonly record struct DialogAnswer(bool Accept, string? PromptText);
