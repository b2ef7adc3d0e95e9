using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Pages.Recordings;

/// <summary>
/// The player's page: loads the recording and its events, starts the JS player at <c>?t=</c> (milliseconds), and
/// while the recording is still being written, looks again every few seconds so its new length and events show.
/// </summary>
public sealed partial class Player : IAsyncDisposable
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromSeconds(3);
    private static readonly double[] Speeds = [0.5, 1, 2, 4, 8];
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly CancellationTokenSource _stop = new();
    private RecordingDetailDto? _detail;
    private ApiProblem? _problem;
    private ElementReference _root;
    private ElementReference _canvas;
    private IJSObjectReference? _module;
    private IJSObjectReference? _player;
    private bool _stepsOpen;
    private RecordingStepsDto? _steps;
    private ApiProblem? _stepsProblem;
    private bool _polling;
    private string? _playerFor;
    private double _playerStart;

    [Parameter]
    public string Id { get; set; } = "";

    /// <summary>Where to start, in milliseconds since the recording began ("play from here").</summary>
    [SupplyParameterFromQuery(Name = "t")]
    public double? T { get; set; }

    [Inject]
    private BrowserServiceClient Api { get; set; } = null!;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    /// <summary>Fixed when the page loads: the JS player owns the position from then on (a re-render must not reset it).</summary>
    private double StartMs { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (_detail is not null && _detail.Recording.Id != Id)
        {
            _steps = null;
            _stepsProblem = null;
            _stepsOpen = false;
        }

        var result = await Api.GetRecordingAsync(Id);
        _detail = result.Value;
        _problem = result.Problem;
        StartMs = Math.Clamp(T ?? 0, 0, Math.Max(0, _detail?.Recording.DurationMs ?? 0));
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Another recording (a link from one player to another reuses this component): a new JS player for it.
        if (_player is not null && (_detail is null || _playerFor != _detail.Recording.Id))
        {
            await DisposePlayerAsync();
        }

        if (_detail is not { } detail || !RendererInfo.IsInteractive)
        {
            return;
        }

        var live = detail.Recording.State == "recording";
        try
        {
            if (_player is null)
            {
                _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Components/Pages/Recordings/Player.razor.js");
                _player = await _module.InvokeAsync<IJSObjectReference>("start", _root, _canvas, new
                {
                    id = detail.Recording.Id,
                    durationMs = detail.Recording.DurationMs,
                    startMs = StartMs,
                    live,
                });
                _playerFor = detail.Recording.Id;
                _playerStart = StartMs;
            }
            else if (_playerStart != StartMs)
            {
                // The same recording at another moment (?t= changed): only the position moves.
                _playerStart = StartMs;
                await _player.InvokeVoidAsync("seek", StartMs);
            }
            else
            {
                await _player.InvokeVoidAsync("refresh", detail.Recording.DurationMs, live);
            }
        }
        catch (JSDisconnectedException)
        {
            return;
        }

        if (!_polling && live)
        {
            _polling = true;
            _ = FollowLiveAsync();
        }
    }

    /// <summary>A recording still being written: its length, size and events grow; stop looking once it ends.</summary>
    private async Task FollowLiveAsync()
    {
        using var timer = new PeriodicTimer(LiveRefresh);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var result = await Api.GetRecordingAsync(Id, _stop.Token);
                if (result.Value is { } detail && detail.Recording.Id == _detail?.Recording.Id)
                {
                    await InvokeAsync(() =>
                    {
                        _detail = detail;
                        StateHasChanged();
                    });
                    if (detail.Recording.State != "recording")
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
        finally
        {
            _polling = false;
        }
    }

    private static string TitleOf(RecordingDto recording) =>
        string.IsNullOrWhiteSpace(recording.Title) ? $"Recording of {recording.SessionId}" : recording.Title;

    private async Task ToggleStepsAsync()
    {
        _stepsOpen = !_stepsOpen;
        if (_stepsOpen && _steps is null)
        {
            var result = await Api.GetRecordingStepsAsync(Id);
            _steps = result.Value;
            _stepsProblem = result.Problem;
        }
    }

    private async Task CopyStepsAsync()
    {
        if (_steps is null || _module is null)
        {
            return;
        }

        var copied = await _module.InvokeAsync<bool>("copyText", StepsJson(_steps));
        Snackbar.Add(copied ? "Steps copied as JSON." : "The browser did not allow copying; select the JSON and copy it.", copied ? Severity.Success : Severity.Warning);
    }

    /// <summary>The steps as the workflows feature takes them: a JSON array of step objects.</summary>
    internal static string StepsJson(RecordingStepsDto steps) => JsonSerializer.Serialize(steps.Steps, Indented);

    private async Task DisposePlayerAsync()
    {
        var player = _player;
        _player = null;
        _playerFor = null;
        if (player is not null)
        {
            await player.InvokeVoidAsync("dispose");
            await player.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        try
        {
            await DisposePlayerAsync();
            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }
    }
}
