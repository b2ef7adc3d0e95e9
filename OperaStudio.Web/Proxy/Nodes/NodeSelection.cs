using Yarp.ReverseProxy.Model;

namespace OperaStudio.Web.Proxy.Nodes;

/// <summary>
/// The proxy pipeline's step that narrows a request's destinations to the node the router chose, before YARP's load
/// balancing picks among what is left. Every destination carries its node id in its metadata (resolved addresses
/// keep it). With one node it does nothing.
/// </summary>
public static class NodeSelection
{
    public const string NodeMetadata = "node";

    public static async Task SelectNodeAsync(HttpContext context, Func<Task> next)
    {
        var router = context.RequestServices.GetService<NodeRouter>();
        if (router is not null)
        {
            var proxy = context.GetReverseProxyFeature();
            var chosen = await router.ChooseAsync(RequestTarget.Of(context.Request.Method, context.Request.Path, context.Request.Query));
            if (chosen.Count > 0)
            {
                var destinations = proxy.AvailableDestinations;
                var allowed = chosen
                    .SelectMany(node => destinations.Where(d => NodeOf(d) == node))
                    .ToList();
                if (allowed.Count > 0)
                {
                    proxy.AvailableDestinations = allowed;
                }
            }
        }

        await next();
    }

    public static string? NodeOf(DestinationState destination) =>
        destination.Model.Config.Metadata?.GetValueOrDefault(NodeMetadata);
}
