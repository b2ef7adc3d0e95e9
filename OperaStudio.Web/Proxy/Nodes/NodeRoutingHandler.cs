using Yarp.ReverseProxy;

namespace OperaStudio.Web.Proxy.Nodes;

/// <summary>
/// The web app's own calls to the browser service (its typed client) take the same route as proxied ones: the request
/// goes to the address of the node the router chose, as the proxy resolved it. With one node (no router) the request
/// goes on as it is.
/// </summary>
public sealed class NodeRoutingHandler(IServiceProvider services, IProxyStateLookup proxy) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (services.GetService<NodeRouter>() is { } router && request.RequestUri is { } uri
            && proxy.TryGetCluster(BrowserServiceProxy.ClusterId, out var cluster))
        {
            var chosen = await router.ChooseAsync(RequestTarget.Of(request.Method.Method, uri.AbsolutePath, QueryCollection.Empty));
            var destination = chosen
                .Select(node => cluster.DestinationsState.AllDestinations.FirstOrDefault(d => NodeSelection.NodeOf(d) == node))
                .FirstOrDefault(d => d is not null);
            if (destination is not null)
            {
                var address = new Uri(destination.Model.Config.Address.TrimEnd('/') + "/");
                request.RequestUri = new Uri(address, uri.PathAndQuery.TrimStart('/'));
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
