using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Browsers;

/// <summary>
/// A renderer exploit must not own the service: Chromium runs as an unprivileged account with its sandbox on, so
/// renderers carry a seccomp filter (where the kernel has seccomp) and are not root.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class ChromiumSandboxTests(BrowserServiceFixture service)
{
    [Fact]
    public async Task Renderers_RunUnprivileged_WithASeccompFilter()
    {
        var url = service.Pages.Page("/sandbox/page", "<!doctype html><title>Sandboxed</title>");
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        created.EnsureSuccessStatusCode();
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        await service.Sessions.Find(session.Id)!.ActiveTab.Page.WaitForLoadStateAsync();

        var kernelHasSeccomp = ProcFs.Status(Environment.ProcessId).ContainsKey("Seccomp");
        // A renderer just forked from the zygote (other tests open pages meanwhile) has no filter for its first
        // milliseconds, as it is being set up: each renderer must have it shortly, and none may run as root.
        List<IReadOnlyDictionary<string, string>> renderers = [];
        await Eventually.TrueAsync(
            () =>
            {
                renderers = Renderers();
                return renderers.Count > 0 && renderers.TrueForAll(s => !kernelHasSeccomp || s["Seccomp"] == "2");
            },
            "every renderer to run under a seccomp filter",
            TimeSpan.FromSeconds(10),
            () => string.Join("; ", renderers.Select(s => $"pid {s["Pid"]} uid {s["Uid"].Split('\t')[0]} seccomp {s.GetValueOrDefault("Seccomp")}")));

        Assert.All(renderers, status => Assert.NotEqual("0", status["Uid"].Split('\t')[0]));
        (await service.Http.DeleteAsync($"/api/sessions/{session.Id}")).Dispose();
    }

    private List<IReadOnlyDictionary<string, string>> Renderers() => service.ChromiumProcesses()
        .SelectMany(browser => ProcessScan.Descendants(browser.Pid))
        .Where(p => p.CommandLine.Contains("--type=renderer", StringComparison.Ordinal))
        .Select(p => ProcFs.Status(p.Pid))
        .Where(status => status.Count > 0)
        .ToList();
}
