using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Streaming;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sharing;

/// <summary>
/// One person's live view of a shared session at the protocol level, signed in as them: counts frames (acknowledging
/// each, as the panel does) and keeps what the hub says about sharing: presence, pointers, refusals, the end of access.
/// </summary>
internal sealed class SharedViewer : IAsyncDisposable
{
    private readonly TaskCompletionSource<string> _accessEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _frames;

    private SharedViewer(string user, HubConnection connection)
    {
        User = user;
        Connection = connection;
        connection.On<FrameMessage>("Frame", frame =>
        {
            Interlocked.Increment(ref _frames);
            _ = connection.SendAsync("Ack");
        });
        connection.On<string, IReadOnlyList<ParticipantDto>>("Presence", (_, participants) => LastPresence = participants);
        connection.On<string, string>("InputRefused", (_, reason) => Refusals.Enqueue(reason));
        connection.On<string, string>("AccessEnded", (_, reason) => _accessEnded.TrySetResult(reason));
        connection.On<string, string, string, double, double>("Pointer", (_, user, color, x, y) => Pointers.Enqueue((user, color, x, y)));
    }

    public string User { get; }

    public HubConnection Connection { get; }

    public long Frames => Interlocked.Read(ref _frames);

    public IReadOnlyList<ParticipantDto> LastPresence { get; private set; } = [];

    public ConcurrentQueue<string> Refusals { get; } = new();

    public ConcurrentQueue<(string User, string Color, double X, double Y)> Pointers { get; } = new();

    public Task<string> AccessEnded => _accessEnded.Task;

    public static async Task<SharedViewer> ConnectAsync(Uri service, string user) =>
        new(user, await HubViewer.OpenConnectionAsync(service, TestIdentity.SignedFor(user, TimeSpan.FromMinutes(30))));

    public Task<SessionDto> JoinAsync(string sessionId) => Connection.InvokeAsync<SessionDto>("Join", sessionId);

    /// <summary>A left click as the panel sends it: move, press, release.</summary>
    public async Task ClickAsync(double x, double y)
    {
        await Connection.InvokeAsync("Pointer", "move", x, y, "none", 0, 0, 0);
        await Connection.InvokeAsync("Pointer", "down", x, y, "left", 1, 1, 0);
        await Connection.InvokeAsync("Pointer", "up", x, y, "left", 0, 1, 0);
    }

    public ParticipantDto? Seen(string user) => LastPresence.FirstOrDefault(p => p.User == user);

    public string DescribePresence() =>
        "presence: " + string.Join(", ", LastPresence.Select(p => $"{p.User} ({p.Role}{(p.HasControl ? ", control" : "")}{(p.RequestedControl ? ", asked" : "")})"));

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
