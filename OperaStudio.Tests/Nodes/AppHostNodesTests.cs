extern alias apphost;

using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Tests.Nodes;

/// <summary>
/// The AppHost's model for <c>BrowserService:Nodes</c> (built, not started): one node by default, as before; more add
/// <c>browser-2</c>, … each its own project resource with its own endpoint, all referenced by the web app; a count out
/// of range is refused with a message that names the setting.
/// </summary>
public sealed class AppHostNodesTests
{
    [Fact]
    public async Task ByDefault_OneBrowserNode()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.OperaStudio_AppHost>(
            TestContext.Current.CancellationToken);

        Assert.Equal([ResourceNames.BrowserService], BrowserResources(builder).Select(r => r.Name));
    }

    [Fact]
    public async Task ThreeNodes_AreThreeResourcesWithTheirOwnEndpoints_AllReferencedByTheWebApp()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.OperaStudio_AppHost>(
            ["BrowserService:Nodes=3"], TestContext.Current.CancellationToken);
        var browsers = BrowserResources(builder);
        var web = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == ResourceNames.Web);
        var referenced = web.Annotations.OfType<ResourceRelationshipAnnotation>().Select(a => a.Resource.Name).ToHashSet();

        Assert.Equal([ResourceNames.BrowserService, "browser-2", "browser-3"], browsers.Select(r => r.Name));
        Assert.All(browsers, b => Assert.Single(b.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http"));
        Assert.Equal(3, browsers.SelectMany(b => b.Annotations.OfType<EndpointAnnotation>()).Select(e => e.Port).Distinct().Count());
        Assert.All(browsers, b => Assert.Contains(b.Name, referenced));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    public async Task ANodeCountOutOfRange_IsRefused_NamingTheSetting(string nodes)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.OperaStudio_AppHost>(
                [$"BrowserService:Nodes={nodes}"], TestContext.Current.CancellationToken);
        });

        Assert.Contains("BrowserService:Nodes", error.ToString(), StringComparison.Ordinal);
    }

    private static List<ProjectResource> BrowserResources(IDistributedApplicationTestingBuilder builder) =>
        [.. builder.Resources.OfType<ProjectResource>().Where(r => r.Name == ResourceNames.BrowserService || r.Name.StartsWith($"{ResourceNames.BrowserService}-", StringComparison.Ordinal))];
}
