using System.Runtime.InteropServices;
using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// Runs the declared resources until Ctrl+C or SIGTERM, then stops everything it started. Returns the process
/// exit code: 0 after a requested stop, 1 when something could not start or kept crashing.
/// </summary>
public sealed class DistributedApplication
{
    private readonly AppHostOptions _options;
    private readonly IReadOnlyList<Resource> _resources;

    internal DistributedApplication(AppHostOptions options, IReadOnlyList<Resource> resources)
    {
        _options = options;
        _resources = resources;
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    public async Task<int> RunAsync()
    {
        var log = new ResourceLog();
        foreach (var resource in _resources)
        {
            log.Register(resource.Name);
        }

        using var stopping = new CancellationTokenSource();
        long firstSignalAt = 0;
        void OnStopSignal(PosixSignalContext signal)
        {
            // The first signal stops everything in order. Tools such as `timeout` deliver a signal twice (to the
            // process and to its group), so only a second one arriving a second later forces an exit.
            var now = Environment.TickCount64;
            if (Interlocked.CompareExchange(ref firstSignalAt, now, 0) == 0)
            {
                signal.Cancel = true;
                log.Info($"{signal.Signal} received: stopping everything (press Ctrl+C again to force)");
                stopping.Cancel();
            }
            else
            {
                signal.Cancel = now - Interlocked.Read(ref firstSignalAt) < 1000;
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnStopSignal);

        Directory.CreateDirectory(_options.DataDirectory);
        var ledger = new ProcessLedger(Path.Combine(_options.DataDirectory, "apphost.pids"));
        foreach (var leftover in await ledger.StopLeftoversAsync())
        {
            log.Info($"stopped {leftover}, left running by an earlier AppHost that did not shut down");
        }

        var orchestrator = new Orchestrator(_resources, new RunContext(_options, log, ledger));
        var exitCode = 0;
        try
        {
            log.Info($"data folder: {_options.DataDirectory}");
            await orchestrator.StartAllAsync(stopping.Token);
            ResourceTable.Print(log, _resources);
            if (await orchestrator.SuperviseAsync(stopping.Token) is { } failure)
            {
                Report(log, failure);
                exitCode = 1;
            }
        }
        catch (AppHostException ex)
        {
            Report(log, ex);
            exitCode = 1;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while starting.
        }
        finally
        {
            await orchestrator.StopAllAsync();
            ledger.Clear();
        }

        log.Info(exitCode == 0 ? "all resources stopped" : "stopped after an error (see above)");
        return exitCode;
    }

    private static void Report(ResourceLog log, AppHostException ex)
    {
        log.Error($"error: {ex.Message}");
        foreach (var line in ex.Details)
        {
            log.Error($"    | {line}");
        }
    }
}
