using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>The live view of every session, created as sessions start and dropped when they end.</summary>
internal sealed class LiveViews(
    SessionManager sessions,
    IHubContext<LiveViewHub, ILiveViewClient> hub,
    IOptions<StreamingOptions> options,
    BrowserServiceMetrics metrics,
    Budget.FrameBudget budget,
    TimeProvider time,
    ILogger<LiveViews> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, SessionStream> _streams = new(StringComparer.Ordinal);

    public SessionStream? Find(string sessionId) => _streams.GetValueOrDefault(sessionId);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        sessions.SessionStarted += OnSessionStarted;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        sessions.SessionStarted -= OnSessionStarted;
        return Task.CompletedTask;
    }

    private void OnSessionStarted(BrowserSession session)
    {
        var created = new SessionStream(session, hub, options.Value, metrics, budget, time, logger);
        _streams[session.Id] = created;
        budget.Register(created);
        session.Events += e =>
        {
            if (e is SessionEnded && _streams.TryRemove(session.Id, out var stream))
            {
                budget.Unregister(stream);
                stream.Dispose();
            }
        };
    }
}
