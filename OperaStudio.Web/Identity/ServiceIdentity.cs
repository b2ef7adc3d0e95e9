using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Identity;

/// <summary>
/// Says to the browser service whom the web app acts for, signed with the shared service key (see
/// <see cref="CallerSignature"/>): the person signed in to the web app, never what a caller claims.
/// </summary>
public sealed class ServiceIdentity(IOptions<WebAuthOptions> options, TimeProvider time)
{
    /// <summary>Long enough for a slow request; a live-view connection is checked once, when it opens.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public string Sign(string user) => CallerSignature.Sign(user, time.GetUtcNow() + Lifetime, options.Value.ServiceKey);
}

/// <summary>
/// Adds the signed identity of the person at the keyboard to every call the web app's own code makes to the browser
/// service. With nobody signed in it adds none, and the service answers 401.
/// </summary>
public sealed class ServiceIdentityHandler(ServiceIdentity identity, CurrentPerson person) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(CallerSignature.Header);
        if (person.Name is { } user)
        {
            request.Headers.Add(CallerSignature.Header, identity.Sign(user));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
