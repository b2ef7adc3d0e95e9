using System.ComponentModel.DataAnnotations;

namespace OperaStudio.Web.Proxy.Nodes;

/// <summary>The browser-service nodes behind the web app. Section <c>BrowserService</c>.</summary>
public sealed class BrowserNodesOptions
{
    public const string SectionName = "BrowserService";

    /// <summary>
    /// How many nodes: <c>browser</c>, <c>browser-2</c>, … (service discovery names, and with more than one, their node
    /// ids). One node is forwarded to as it is, without the router.
    /// </summary>
    [Range(1, 16)]
    public int Nodes { get; set; } = 1;

    /// <summary>How long the router reuses what it read of the node directory.</summary>
    [Range(0, 10_000)]
    public int DirectoryCacheMilliseconds { get; set; } = 250;
}
