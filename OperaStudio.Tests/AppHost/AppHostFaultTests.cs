using System.Net;
using System.Net.Sockets;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.AppHost;

/// <summary>
/// What goes wrong at start gives a clear error naming the cause, a non-zero exit and nothing left running — never a
/// hang and never half a system.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostFaultTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Start_WebPortInUse_ExitsNamingThePortAndHowToChooseAnother()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var output = await RunUntilExitAsync(port, TestPaths.NewDirectory("apphost-port"));

        Assert.Contains("error: web failed to start.", output);
        Assert.Contains($"Port {port} (web) is already in use by another process. Choose another port, e.g. OPERA_WEB_PORT={port + 10}.", output);
    }

    [Fact]
    public async Task Start_DashboardPortInUse_ExitsAtOnceNamingItAndHowToChooseAnother()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var output = await RunUntilExitAsync(
            Signals.FreePort(), TestPaths.NewDirectory("apphost-dashboard"), new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });

        Assert.Contains($"error: Port {port} (ASPNETCORE_URLS, the dashboard) is already in use by another process, perhaps another AppHost.", output);
        Assert.DoesNotContain("Distributed application started", output);
    }

    [Fact]
    public async Task Start_RedisServerMissing_ExitsNamingThePackageToInstall()
    {
        var output = await RunUntilExitAsync(
            Signals.FreePort(), TestPaths.NewDirectory("apphost-noredis"), new Dictionary<string, string> { ["PATH"] = "/nonexistent" });

        Assert.Contains("error: redis failed to start.", output);
        Assert.Contains("Redis is not available: redis-server was not found and no container runtime answers.", output);
        Assert.Contains("sudo apt-get install -y redis-server", output);
    }

    [Fact]
    public async Task Start_PostgresDataFromAnotherVersion_ExitsSayingWhatToDo()
    {
        var dataDirectory = TestPaths.NewDirectory("apphost-pgversion");
        Directory.CreateDirectory(Path.Combine(dataDirectory, "postgres"));
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "postgres", "PG_VERSION"), "9.6\n");

        var output = await RunUntilExitAsync(Signals.FreePort(), dataDirectory);

        Assert.Contains("error: postgres failed to start.", output);
        Assert.Matches(@"The PostgreSQL data folder \S+/postgres was made by PostgreSQL 9\.6, but this machine has PostgreSQL \d+\. Move that folder away", output);
    }

    [Fact]
    public async Task Start_ServiceCrashesAtStart_ExitsWithItsLastLines()
    {
        // An invalid setting (inherited from the AppHost's environment) fails the browser service's options validation.
        var output = await RunUntilExitAsync(
            Signals.FreePort(), TestPaths.NewDirectory("apphost-crash"), new Dictionary<string, string> { ["Browsers__BrowserCount"] = "0" });

        Assert.Matches(@"error: browser exited with code \d+ during start\. Its last lines are below", output);
        Assert.Matches(@"    \| .*BrowserCount", output);
    }

    /// <summary>Runs the AppHost until it exits on its own; asserts exit code 1 and that nothing it started survives.</summary>
    private static async Task<string> RunUntilExitAsync(int port, string dataDirectory, IDictionary<string, string>? environment = null)
    {
        await using var host = AppHostProcess.StartBuilt(port, dataDirectory, environment);
        var exitCode = await host.WaitForExitAsync(ExitTimeout);
        Assert.True(exitCode == 1, $"expected exit code 1, got {exitCode}:\n{host.OutputText}");
        Assert.Empty(await host.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(30)));
        TestPaths.TryDelete(dataDirectory);
        return host.OutputText;
    }
}
