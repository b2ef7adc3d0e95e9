using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace OperaStudio.AppHost.Hosting;

public static partial class NativeRedisExtensions
{
    /// <summary>
    /// Redis from the machine's <c>redis-server</c>, data in <c>{dataDirectory}/{name}</c> (RDB snapshots: saved every
    /// 30 s after a change and on a clean stop, so a second start finds it). Without redis-server the resource fails to
    /// start with a message that names the package to install.
    /// </summary>
    public static IResourceBuilder<NativeRedisResource> AddNativeRedis(this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        var executable = NativeBinaries.FindRedisServer();
        var folder = Path.GetFullPath(Path.Combine(dataDirectory, name));
        var resource = new NativeRedisResource(name, executable ?? "redis-server", folder);

        string? connectionString = null;
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(_ => connectionString ?? throw new InvalidOperationException("Redis has no address yet."), name: healthCheckKey);

        return builder.AddResource(resource)
            .WithEndpoint(name: NativeRedisResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var arg in (string[])["--bind", "127.0.0.1", "--protected-mode", "yes", "--dir", folder, "--dbfilename", "dump.rdb", "--save", "30 1", "--appendonly", "no", "--daemonize", "no"])
                {
                    context.Args.Add(arg);
                }

                if (executable is not null && SupportsProcTitleOption(executable))
                {
                    // Keep the command line as started, so `ps` shows which data folder this server serves.
                    context.Args.Add("--set-proc-title");
                    context.Args.Add("no");
                }
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheckKey)
            .OnConnectionStringAvailable(async (redis, _, cancellationToken) =>
                connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken))
            .OnBeforeResourceStarted((_, _, _) =>
            {
                if (executable is null)
                {
                    throw new DistributedApplicationException(
                        $"Redis is not available: redis-server was not found and no container runtime answers. {NativeBinaries.RedisInstallHint}");
                }

                Directory.CreateDirectory(folder);
                return Task.CompletedTask;
            });
    }

    /// <summary>set-proc-title exists since Redis 6.2; older servers refuse unknown options.</summary>
    private static bool SupportsProcTitleOption(string executable)
    {
        using var process = Process.Start(new ProcessStartInfo(executable, "--version") { RedirectStandardOutput = true });
        var match = RedisVersion().Match(process?.StandardOutput.ReadToEnd() ?? "");
        process?.WaitForExit();
        return match.Success && new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)) >= new Version(6, 2);
    }

    [GeneratedRegex(@"v=(\d+)\.(\d+)")]
    private static partial Regex RedisVersion();
}
