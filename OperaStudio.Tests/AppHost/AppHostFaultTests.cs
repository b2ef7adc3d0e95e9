using System.Net;
using System.Net.Sockets;
using OperaStudio.AppHost.Hosting;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.AppHost;

/// <summary>
/// What goes wrong at start gives one clear line, a non-zero exit and nothing left running — never a hang.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostFaultTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Start_WebPortInUse_ExitsAtOnceNamingThePort()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var output = await RunUntilExitAsync(port, TestPaths.NewDirectory("apphost-port"));

        Assert.Contains($"error: Port {port} (web HTTP endpoint) is already in use by another process. Choose another port, e.g. OPERA_WEB_PORT=5090.", output);
        Assert.DoesNotContain("starting redis", output);
    }

    [Fact]
    public async Task Start_RedisServerMissing_ExitsNamingThePackageToInstall()
    {
        var output = await RunUntilExitAsync(
            Ports.GetFreePort(), TestPaths.NewDirectory("apphost-noredis"), new Dictionary<string, string> { ["PATH"] = "/nonexistent" });

        Assert.Contains("error: Redis is not available: redis-server was not found and no Docker engine answers.", output);
        Assert.Contains("sudo apt-get install -y redis-server", output);
    }

    [Fact]
    public async Task Start_PostgresDataFromAnotherVersion_ExitsSayingWhatToDo()
    {
        var dataDirectory = TestPaths.NewDirectory("apphost-pgversion");
        Directory.CreateDirectory(Path.Combine(dataDirectory, "postgres"));
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "postgres", "PG_VERSION"), "9.6\n");

        var output = await RunUntilExitAsync(Ports.GetFreePort(), dataDirectory);

        Assert.Matches(@"error: The PostgreSQL data folder \S+/postgres was made by PostgreSQL 9\.6, but this machine has PostgreSQL \d+\. Move that folder away", output);
    }

    [Fact]
    public async Task Start_ChildExitsDuringStart_ExitsWithItsLastLines()
    {
        // An invalid Kestrel endpoint (inherited from the AppHost's environment) makes the services crash at start.
        var output = await RunUntilExitAsync(
            Ports.GetFreePort(), TestPaths.NewDirectory("apphost-crash"), new Dictionary<string, string> { ["Kestrel__Endpoints__Http__Url"] = "notaurl" });

        Assert.Matches(@"error: browser exited with code \d+ during start\. Its last lines are below", output);
        Assert.Contains("    | ", output);
        Assert.Contains("redis stopped", output);
        Assert.Contains("postgres stopped", output);
    }

    /// <summary>Runs the AppHost until it exits on its own; asserts exit code 1 and that nothing it started survives.</summary>
    private static async Task<string> RunUntilExitAsync(int port, string dataDirectory, IDictionary<string, string>? environment = null)
    {
        await using var host = AppHostProcess.StartBuilt(port, dataDirectory, environment);
        var exitCode = await host.WaitForExitAsync(ExitTimeout);
        Assert.True(exitCode == 1, $"expected exit code 1, got {exitCode}:\n{host.OutputText}");
        Assert.Empty(host.StartedProcesses());
        TestPaths.TryDelete(dataDirectory);
        return host.OutputText;
    }
}
