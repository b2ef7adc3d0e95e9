using System.Diagnostics;
using OperaStudio.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace OperaStudio.Tests.Deployment;

/// <summary>
/// <c>deploy/kubernetes</c> as a cluster would receive it: rendered once by <c>kubectl kustomize</c> (the kubectl on
/// PATH, or <c>OPERA_KUBECTL</c> to try another build, e.g. Debian's 1.20 with its old kustomize) and parsed.
/// </summary>
public sealed class RenderedManifests : IAsyncLifetime
{
    public static string Folder { get; } = Path.Combine(TestPaths.RepositoryRoot, "deploy", "kubernetes");

    /// <summary>Every rendered object (Deployment, Service, ...), in kustomize's order.</summary>
    public IReadOnlyList<YamlMappingNode> Objects { get; private set; } = [];

    /// <summary>The rendered text, for checks that no value anywhere may hold.</summary>
    public string Text { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var kubectl = Environment.GetEnvironmentVariable("OPERA_KUBECTL") is { Length: > 0 } chosen ? chosen : FindOnPath("kubectl");
        if (kubectl is null || !File.Exists(kubectl))
        {
            throw new InvalidOperationException(
                $"kubectl is not installed{(kubectl is null ? "" : $" at {kubectl} (OPERA_KUBECTL)")}, and these tests render deploy/kubernetes "
                + "with `kubectl kustomize`. Run `bash eng/install-prerequisites.sh` (it installs Debian's kubernetes-client), "
                + "or set OPERA_KUBECTL to a kubectl.");
        }

        var start = new ProcessStartInfo(kubectl, ["kustomize", Folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {kubectl}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{kubectl} kustomize {Folder}` failed (exit {process.ExitCode}): {await stderr}");
        }

        Text = await stdout;
        var stream = new YamlStream();
        stream.Load(new StringReader(Text));
        Objects = stream.Documents.Select(document => document.RootNode).OfType<YamlMappingNode>().ToList();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The one object of this kind and name; fails naming what was rendered when there is none.</summary>
    public YamlMappingNode Get(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Scalar("kind") == kind && o.Scalar("metadata", "name") == name)
        ?? throw new Xunit.Sdk.XunitException(
            $"The rendered manifests hold no {kind} '{name}'. They hold: "
            + string.Join(", ", Objects.Select(o => $"{o.Scalar("kind")}/{o.Scalar("metadata", "name")}")));

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
