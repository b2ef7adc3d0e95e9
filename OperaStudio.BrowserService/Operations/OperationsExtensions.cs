using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Operations;

public static class OperationsExtensions
{
    /// <summary>The service's meter (counters and gauges) in OpenTelemetry, and what the operations view reads.</summary>
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BrowserServiceMetrics>();
        builder.Services.AddHostedService<GaugeRegistration>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(BrowserServiceMetrics.MeterName));
        return builder;
    }

    /// <summary>Observable gauges read the live state when an exporter asks; registered once at start.</summary>
    private sealed class GaugeRegistration(BrowserServiceMetrics metrics, BrowserPool pool, SessionManager sessions, HistoryRecorder history)
        : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var meter = metrics.Meter;
            meter.CreateObservableGauge("opera.sessions.live", () => sessions.Count, "{session}", "Live sessions on this node");
            meter.CreateObservableGauge("opera.sessions.idle", () => sessions.All.Count(s => s.ViewerCount == 0), "{session}", "Live sessions without a viewer");
            meter.CreateObservableGauge("opera.viewers", () => sessions.All.Sum(s => s.ViewerCount), "{viewer}", "Connected viewers");
            meter.CreateObservableGauge("opera.pool.warm", () => pool.WarmCount, "{context}", "Ready contexts in the warm pool");
            meter.CreateObservableGauge("opera.pool.contexts", () => pool.TotalContexts, "{context}", "Browser contexts open");
            meter.CreateObservableGauge("opera.browsers.connected", () => pool.ConnectedBrowsers, "{browser}", "Chromium processes running");
            meter.CreateObservableGauge("opera.history.pending", () => history.Pending, "{record}", "History records waiting for PostgreSQL");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
