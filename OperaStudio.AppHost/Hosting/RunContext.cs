using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.AppHost.Hosting;

/// <summary>What resources need while they start: settings, where to keep data, where to write their logs.</summary>
public sealed class RunContext(AppHostOptions options, ResourceLog log, ProcessLedger ledger)
{
    public AppHostOptions Options { get; } = options;

    public ResourceLog Log { get; } = log;

    public ProcessLedger Ledger { get; } = ledger;
}
