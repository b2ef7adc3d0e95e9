using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Components.Browser;

// The panel's share of sharing: who is watching and who has control (Presence, forwarded by the JS module, which
// draws the others' pointers itself), asking for, giving and releasing control over the hub, the reason input was
// refused, and the end of this person's access. The owner's share card (ShareDialog) opens from here.
public sealed partial class BrowserPanel
{
    private static readonly TimeSpan RefusedShownFor = TimeSpan.FromSeconds(4);

    private IReadOnlyList<ParticipantDto> _participants = [];
    private string? _me;
    private string? _refused;
    private int _refusedVersion;
    private string? _accessEnded;
    private bool _shareOpen;
    private bool _turnBusy;

    [CascadingParameter]
    private Task<AuthenticationState>? Authentication { get; set; }

    private ParticipantDto? Me => _participants.FirstOrDefault(p => p.User == _me);

    /// <summary>The owner (or the administrator) shares; members are answered 403 by the sharing API anyway.</summary>
    private bool CanShare => Me?.Role is "owner" or "admin";

    private async Task<string?> WhoAmIAsync() =>
        Authentication is null ? null : (await Authentication).User.Identity?.Name;

    [JSInvokable]
    public void OnPresence(List<ParticipantDto> participants)
    {
        _participants = participants;
        if (Me?.HasControl == true)
        {
            _refused = null; // Said before this person got control: no longer true.
        }

        Agent?.SetWatchOnly(Me switch
        {
            { Role: "viewer" } => "You are watching as a viewer: the agent takes instructions from people who can act on the page.",
            { Role: "controller", HasControl: false } => "Ask for control to talk to the agent: it acts on the page for whoever has it.",
            _ => null,
        });

        StateHasChanged();
    }

    /// <summary>Shown over the live view for a few seconds; a newer refusal replaces it and restarts the time.</summary>
    [JSInvokable]
    public async Task OnInputRefused(string reason)
    {
        var version = ++_refusedVersion;
        _refused = reason;
        StateHasChanged();
        await Task.Delay(RefusedShownFor);
        if (version == _refusedVersion && !_disposed)
        {
            _refused = null;
            StateHasChanged();
        }
    }

    [JSInvokable]
    public void OnAccessEnded(string reason)
    {
        _accessEnded = reason;
        _participants = [];
        _shareOpen = false;
        StateHasChanged();
    }

    private Task RequestControlAsync() => TurnAsync("RequestControl", null, "Could not ask for control");

    private Task GrantControlAsync(string user) => TurnAsync("GrantControl", user, $"Could not give control to {user}");

    private Task ReleaseControlAsync() => TurnAsync("ReleaseControl", null, "Could not release control");

    /// <summary>The hub answers with the change as Presence, to everyone; only a failure is reported here.</summary>
    private async Task TurnAsync(string method, string? user, string failure)
    {
        if (_live is null)
        {
            return;
        }

        _turnBusy = true;
        try
        {
            if (await _live.InvokeAsync<string?>("turn", method, user) is { } error)
            {
                Snackbar.Add($"{failure}: {error}", Severity.Warning);
            }
        }
        catch (JSDisconnectedException)
        {
            // The page is gone.
        }
        finally
        {
            _turnBusy = false;
        }
    }

    private void ToggleShare() => _shareOpen = !_shareOpen;

    private void CloseShare() => _shareOpen = false;
}
