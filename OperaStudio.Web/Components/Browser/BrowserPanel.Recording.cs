using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Browser;

// The panel's share of recording: whether the session records (the hub's RecordingChanged, which the service also
// sends on join, so every viewer shows the indicator), and the toolbar's toggle, which starts and stops it over REST.
public sealed partial class BrowserPanel
{
    private RecordingDto? _recording;
    private bool _recordingBusy;
    private string? _recordingOff;

    /// <summary>Why this person cannot start or stop a recording now; null when they can.</summary>
    private string? RecordDisabledReason =>
        _recordingOff
        ?? (Me is { Role: ShareRoles.Viewer } ? "Viewers cannot record this session"
            : Me is { HasControl: false, Role: not ("owner" or "admin") } ? "Only the person in control can record"
            : null);

    [JSInvokable]
    public void OnRecordingChanged(RecordingDto? recording)
    {
        _recording = recording;
        StateHasChanged();
    }

    private async Task ToggleRecordingAsync()
    {
        _recordingBusy = true;
        try
        {
            var stopping = _recording is not null;
            var result = stopping ? await Api.StopRecordingAsync(Session.Id) : await Api.StartRecordingAsync(Session.Id);
            if (result.Value is { } recording)
            {
                // The hub says the same to everyone; this answer only spares the person the round trip.
                _recording = recording.State == "recording" ? recording : null;
                if (stopping)
                {
                    Snackbar.Add(RecordingStoppedSnack(recording), Severity.Success, options => options.VisibleStateDuration = 8000);
                }
            }
            else if (result.Problem is { Status: 409, Code: BrowserServiceClient.RecordingOff } off)
            {
                _recordingOff = off.Message;
                Snackbar.Add("Recording is turned off on this server.", Severity.Info);
            }
            else if (stopping && result.Problem?.IsNotFound == true)
            {
                _recording = null; // It had already stopped (the session ended, or someone else stopped it).
            }
            else
            {
                ShowProblem(stopping ? "Could not stop recording" : "Could not start recording", result.Problem);
            }
        }
        finally
        {
            _recordingBusy = false;
        }
    }

    private static RenderFragment RecordingStoppedSnack(RecordingDto recording) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddContent(1, $"Recorded {RecordingTime.Clock(recording.DurationMs)}. ");
        builder.OpenElement(2, "a");
        builder.AddAttribute(3, "href", BrowserServiceClient.PlayerPath(recording.Id));
        builder.AddAttribute(4, "class", "snack-link");
        builder.AddAttribute(5, "data-testid", "recording-snack-link");
        builder.AddContent(6, "Play it");
        builder.CloseElement();
        builder.CloseElement();
    };
}
