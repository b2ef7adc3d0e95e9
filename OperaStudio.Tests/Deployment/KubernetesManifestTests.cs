using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace OperaStudio.Tests.Deployment;

/// <summary>
/// <c>deploy/kubernetes</c>, rendered by kustomize, keeps what running Opera Studio on a cluster depends on: stable
/// browser nodes, probes on the services' own health endpoints, a drain before stop, resources from the measured cost,
/// disruption budgets, autoscaling on sessions per node, external stores, Chromium's sandbox, settable images and
/// sticky sessions for the web app. Each check reads the rendered objects, so a manifest that loses a property fails.
/// </summary>
public sealed partial class KubernetesManifestTests(RenderedManifests manifests) : IClassFixture<RenderedManifests>
{
    private const string HeadlessService = "browser-nodes";

    // The shutdown after SIGTERM: .NET's default host shutdown timeout, in which the service saves every session.
    private const int HostShutdownSeconds = 30;

    // docs/scaling.md's mixed load: 0.09 of a core per session (most idle, a quarter watched at 10 fps, a few at 30).
    private const double CoresPerSessionMixed = 0.09;

    private YamlMappingNode Browser => manifests.Get("StatefulSet", ResourceNames.BrowserService);

    private YamlMappingNode Web => manifests.Get("Deployment", ResourceNames.Web);

    [Fact]
    public void BrowserService_IsAStatefulSet_WithStableNodeNamesPublishedWhileNotReady()
    {
        Assert.Equal(HeadlessService, Browser.Scalar("spec", "serviceName"));
        var headless = manifests.Get("Service", HeadlessService);
        Assert.Equal("None", headless.Scalar("spec", "clusterIP"));
        // A full or draining node is not ready, yet must still serve the sessions it holds.
        Assert.Equal("true", headless.Scalar("spec", "publishNotReadyAddresses"));
        AssertSelects(headless.Mapping("spec", "selector"), Browser);

        // The node id in the session registry is the pod's stable name.
        var container = Container(Browser);
        Assert.Equal("$(POD_NAME)", Env(container, $"{SessionOptions.SectionName}__{nameof(SessionOptions.NodeId)}"));
        Assert.Equal("metadata.name", EnvEntry(container, "POD_NAME")?.Scalar("valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void Probes_ReadinessOnHealth_LivenessOnAlive()
    {
        foreach (var workload in new[] { Browser, Web })
        {
            var container = Container(workload);
            Assert.Equal(Extensions.HealthEndpointPath, container.Scalar("readinessProbe", "httpGet", "path"));
            Assert.Equal(Extensions.AlivenessEndpointPath, container.Scalar("livenessProbe", "httpGet", "path"));
            Assert.Equal(ContainerPort(container), container.Scalar("readinessProbe", "httpGet", "port"));
        }
    }

    [Fact]
    public void BrowserService_PreStopDrains_WithinAGracePeriodThatCoversIt()
    {
        var container = Container(Browser);
        var hook = string.Join(' ', container.Items("lifecycle", "preStop", "exec", "command").Select(part => ((YamlScalarNode)part).Value));
        Assert.Contains("POST", hook, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:8080/api/operations/drain", hook, StringComparison.Ordinal);
        Assert.Equal("8080", Env(container, "ASPNETCORE_HTTP_PORTS"));
        // The drain route is the administrator's: the hook sends the admin token, which the pod gets from the Secret.
        Assert.Contains("Authorization: Bearer ${Auth__AdminToken}", hook, StringComparison.Ordinal);
        Assert.NotNull(EnvEntry(container, "Auth__AdminToken")?.At("valueFrom", "secretKeyRef"));

        var drainWait = int.Parse(Env(container, "DRAIN_WAIT_SECONDS")!, CultureInfo.InvariantCulture);
        var grace = int.Parse(Browser.Scalar("spec", "template", "spec", "terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture);
        // The hook's wait, its last request (-m 5) and its pause (5 s), then the service's own shutdown.
        Assert.True(grace >= drainWait + 10 + HostShutdownSeconds,
            $"terminationGracePeriodSeconds {grace} does not cover the drain ({drainWait} s + 10 s) and the shutdown ({HostShutdownSeconds} s)");
    }

    [Fact]
    public void Resources_CoverTheMeasuredCostOfAFullNode()
    {
        var (baseMiB, perSessionMiB) = MeasuredMemory();
        var container = Container(Browser);
        var maxSessions = int.Parse(Env(container, $"{SessionOptions.SectionName}__{nameof(SessionOptions.MaxSessions)}")!, CultureInfo.InvariantCulture);

        var memoryRequest = Bytes(container.Scalar("resources", "requests", "memory")) / (1024.0 * 1024);
        var memoryLimit = Bytes(container.Scalar("resources", "limits", "memory")) / (1024.0 * 1024);
        var needed = baseMiB + maxSessions * perSessionMiB;
        Assert.True(memoryRequest >= needed,
            $"memory request {memoryRequest:0} MiB < {baseMiB:0} MiB + {maxSessions} sessions × {perSessionMiB:0.0} MiB (docs/benchmarks.md)");
        Assert.True(memoryLimit >= memoryRequest, $"memory limit {memoryLimit:0} MiB is below the request");

        var cpuRequest = Cores(container.Scalar("resources", "requests", "cpu"));
        Assert.True(cpuRequest >= maxSessions * CoresPerSessionMixed,
            $"cpu request {cpuRequest} < {maxSessions} sessions × {CoresPerSessionMixed} core (docs/scaling.md)");
        Assert.True(Cores(container.Scalar("resources", "limits", "cpu")) >= cpuRequest);

        var web = Container(Web);
        Assert.True(Bytes(web.Scalar("resources", "requests", "memory")) > 0 && Bytes(web.Scalar("resources", "limits", "memory")) > 0);
        Assert.True(Cores(web.Scalar("resources", "requests", "cpu")) > 0);
    }

    [Fact]
    public void DisruptionBudgets_LetOnePodGoAtATime()
    {
        var browser = manifests.Get("PodDisruptionBudget", ResourceNames.BrowserService);
        Assert.Equal("1", browser.Scalar("spec", "maxUnavailable"));
        AssertSelects(browser.Mapping("spec", "selector", "matchLabels"), Browser);

        var web = manifests.Get("PodDisruptionBudget", ResourceNames.Web);
        Assert.True(web.Scalar("spec", "minAvailable") == "1" || web.Scalar("spec", "maxUnavailable") == "1");
        AssertSelects(web.Mapping("spec", "selector", "matchLabels"), Web);
    }

    [Fact]
    public void Autoscaling_ScalesTheBrowserNodes_OnTheSessionsEachHolds()
    {
        var scaler = manifests.Get("ScaledObject", ResourceNames.BrowserService);
        Assert.Equal("StatefulSet", scaler.Scalar("spec", "scaleTargetRef", "kind"));
        Assert.Equal(ResourceNames.BrowserService, scaler.Scalar("spec", "scaleTargetRef", "name"));
        Assert.True(int.Parse(scaler.Scalar("spec", "minReplicaCount")!, CultureInfo.InvariantCulture) >= 2,
            "fewer than 2 browser nodes leaves the PodDisruptionBudget nothing to allow");

        var trigger = Assert.Single(scaler.Items("spec", "triggers"));
        Assert.Equal("prometheus", trigger.Scalar("type"));
        Assert.Equal("AverageValue", trigger.Scalar("metricType"));

        // The gauge the service exports (OpenTelemetry name), as Prometheus names it.
        const string gauge = "opera.sessions.live";
        var exported = Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "OperaStudio.BrowserService"), "*.cs", SearchOption.AllDirectories)
            .Any(file => File.ReadAllText(file).Contains($"CreateObservableGauge(\"{gauge}\"", StringComparison.Ordinal));
        Assert.True(exported, $"the browser service no longer exports the gauge {gauge}");
        Assert.Contains(gauge.Replace('.', '_'), trigger.Scalar("metadata", "query"), StringComparison.Ordinal);

        var target = double.Parse(trigger.Scalar("metadata", "threshold")!, CultureInfo.InvariantCulture);
        var maxSessions = int.Parse(Env(Container(Browser), $"{SessionOptions.SectionName}__{nameof(SessionOptions.MaxSessions)}")!, CultureInfo.InvariantCulture);
        Assert.True(target > 0 && target < maxSessions, $"target {target} sessions per node must be below the node's capacity {maxSessions}");
    }

    [Fact]
    public void DataStores_AreExternal_ByConnectionStringsFromASecret()
    {
        AssertFromSecret(Container(Browser), $"ConnectionStrings__{ResourceNames.Redis}");
        AssertFromSecret(Container(Browser), $"ConnectionStrings__{ResourceNames.Database}");
        AssertFromSecret(Container(Web), $"ConnectionStrings__{ResourceNames.Database}");
        AssertFromSecret(Container(Browser), "Auth__ServiceKey");
        AssertFromSecret(Container(Web), "Auth__ServiceKey");

        var images = manifests.Objects.SelectMany(o => o.Items("spec", "template", "spec", "containers")).Select(c => c.Scalar("image") ?? "");
        Assert.DoesNotContain(images, image => image.Contains("redis", StringComparison.OrdinalIgnoreCase) || image.Contains("postgres", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(manifests.Objects, o => o.Scalar("kind") == "Secret");
    }

    [Fact]
    public void Chromium_KeepsItsSandbox_NonRootUnderASeccompProfileThatAllowsUserNamespaces()
    {
        var pod = Browser.Mapping("spec", "template", "spec");
        Assert.Equal("true", pod.Scalar("securityContext", "runAsNonRoot"));
        Assert.NotEqual(0, int.Parse(pod.Scalar("securityContext", "runAsUser")!, CultureInfo.InvariantCulture));
        var container = Container(Browser);
        Assert.Equal("false", container.Scalar("securityContext", "allowPrivilegeEscalation"));
        Assert.Contains(container.Items("securityContext", "capabilities", "drop"), cap => ((YamlScalarNode)cap).Value == "ALL");

        // The sandbox is on and required: the service fails at start rather than run Chromium without it.
        Assert.Equal("true", Env(container, $"{BrowserOptions.SectionName}__{nameof(BrowserOptions.RequireSandbox)}"));
        Assert.NotEqual("false", Env(container, $"{BrowserOptions.SectionName}__{nameof(BrowserOptions.Sandbox)}"));
        Assert.DoesNotContain("no-sandbox", manifests.Text, StringComparison.OrdinalIgnoreCase);

        // RuntimeDefault refuses clone/unshare(CLONE_NEWUSER) without CAP_SYS_ADMIN: the profile must be ours, and
        // must let user namespaces through while it still refuses what the runtime's default refuses.
        Assert.Equal("Localhost", pod.Scalar("securityContext", "seccompProfile", "type"));
        var profilePath = pod.Scalar("securityContext", "seccompProfile", "localhostProfile")!;
        Assert.StartsWith("profiles/", profilePath, StringComparison.Ordinal);
        var profileFile = Path.Combine(RenderedManifests.Folder, "seccomp", Path.GetFileName(profilePath));
        Assert.True(File.Exists(profileFile), $"{profileFile} (installed on the nodes as {profilePath}) is missing");
        using var profile = JsonDocument.Parse(File.ReadAllText(profileFile));
        var refused = profile.RootElement.GetProperty("syscalls").EnumerateArray()
            .Where(rule => rule.GetProperty("action").GetString() != "SCMP_ACT_ALLOW")
            .SelectMany(rule => rule.GetProperty("names").EnumerateArray().Select(name => name.GetString()))
            .ToHashSet();
        Assert.DoesNotContain("clone", refused);
        Assert.DoesNotContain("unshare", refused);
        Assert.DoesNotContain("chroot", refused);
        Assert.Superset(new HashSet<string?> { "mount", "keyctl", "bpf", "kexec_load", "init_module", "perf_event_open" }, refused);
    }

    [Fact]
    public void Images_AreSetThroughKustomize()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(RenderedManifests.Folder, "kustomization.yaml")));
        var kustomization = new YamlStream();
        kustomization.Load(reader);
        var set = kustomization.Documents[0].RootNode.Items("images")
            .ToDictionary(image => image.Scalar("name")!, image => $"{image.Scalar("newName")}:{image.Scalar("newTag")}");

        var images = new[] { Browser, Web }.Select(w => Container(w).Scalar("image")).ToList();
        Assert.Equal(2, set.Count);
        Assert.Equal(set.Values.Order(), images.Order());
    }

    [Fact]
    public void WebApp_HasStickySessions_AndFindsTheBrowserNodeByItsStableName()
    {
        var service = manifests.Get("Service", ResourceNames.Web);
        Assert.Equal("ClientIP", service.Scalar("spec", "sessionAffinity"));
        AssertSelects(service.Mapping("spec", "selector"), Web);

        var ingress = manifests.Get("Ingress", ResourceNames.Web);
        Assert.Equal("cookie", ingress.Scalar("metadata", "annotations", "nginx.ingress.kubernetes.io/affinity"));
        var backend = ingress.Items("spec", "rules").Single().Items("http", "paths").Single();
        Assert.Equal(ResourceNames.Web, backend.Scalar("backend", "service", "name"));

        var address = new Uri(Env(Container(Web), $"services__{ResourceNames.BrowserService}__http__0")!);
        Assert.Equal($"{ResourceNames.BrowserService}-0.{HeadlessService}", address.Host);
    }

    private static YamlMappingNode Container(YamlMappingNode workload) =>
        (YamlMappingNode)workload.Items("spec", "template", "spec", "containers").Single();

    private static string? ContainerPort(YamlMappingNode container) =>
        container.Items("ports").Single().Scalar("name");

    private static YamlNode? EnvEntry(YamlMappingNode container, string name) =>
        container.Items("env").SingleOrDefault(entry => entry.Scalar("name") == name);

    /// <summary>A setting as the container gets it: its own env, else a ConfigMap it takes everything from.</summary>
    private string? Env(YamlMappingNode container, string name)
    {
        if (EnvEntry(container, name) is { } entry)
        {
            return entry.Scalar("value");
        }

        return container.Items("envFrom")
            .Select(source => source.Scalar("configMapRef", "name"))
            .OfType<string>()
            .Select(map => manifests.Get("ConfigMap", map).Scalar("data", name))
            .FirstOrDefault(value => value is not null);
    }

    private static void AssertFromSecret(YamlMappingNode container, string name)
    {
        var entry = EnvEntry(container, name) ?? throw new Xunit.Sdk.XunitException($"{container.Scalar("name")} has no {name}");
        Assert.Null(entry.Scalar("value"));
        Assert.Equal(name, entry.Scalar("valueFrom", "secretKeyRef", "key"));
        Assert.NotNull(entry.Scalar("valueFrom", "secretKeyRef", "name"));
        Assert.NotEqual("true", entry.Scalar("valueFrom", "secretKeyRef", "optional"));
    }

    private static void AssertSelects(YamlMappingNode selector, YamlMappingNode workload)
    {
        var labels = workload.Mapping("spec", "template", "metadata", "labels");
        Assert.NotEmpty(selector.Children);
        foreach (var (key, value) in selector.Children)
        {
            Assert.Equal(((YamlScalarNode)value).Value, labels.Scalar(((YamlScalarNode)key).Value!));
        }
    }

    /// <summary>docs/benchmarks.md, section 4: PSS with no session, and per additional session from 1 to 30.</summary>
    private static (double BaseMiB, double PerSessionMiB) MeasuredMemory()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "benchmarks.md"));
        var empty = EmptyNodeRow().Match(text);
        var perSession = PerSessionRow().Match(text);
        Assert.True(empty.Success && perSession.Success, "docs/benchmarks.md no longer has section 4's rows '| 0 | … MB |' and '| 1 → 30 sessions | … MB |'");
        return (Number(empty.Groups[1].Value), Number(perSession.Groups[1].Value));
    }

    private static double Number(string text) => double.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static double Bytes(string? quantity)
    {
        var match = Quantity().Match(quantity ?? "");
        Assert.True(match.Success, $"'{quantity}' is not a memory quantity");
        var factor = match.Groups[2].Value switch
        {
            "" => 1d, "Ki" => 1024d, "Mi" => 1024d * 1024, "Gi" => 1024d * 1024 * 1024,
            "k" => 1e3, "M" => 1e6, "G" => 1e9,
            var unit => throw new Xunit.Sdk.XunitException($"unexpected unit {unit}"),
        };
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
    }

    private static double Cores(string? quantity) =>
        quantity is null ? 0
        : quantity.EndsWith('m') ? double.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1000
        : double.Parse(quantity, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\|\s*0\s*\|\s*([\d.,]+) MB\s*\|", RegexOptions.Multiline)]
    private static partial Regex EmptyNodeRow();

    [GeneratedRegex(@"^\|\s*1 → 30 sessions\s*\|\s*([\d.,]+) MB\s*\|", RegexOptions.Multiline)]
    private static partial Regex PerSessionRow();

    [GeneratedRegex(@"^([\d.]+)([KMG]i?|k)?$")]
    private static partial Regex Quantity();
}
