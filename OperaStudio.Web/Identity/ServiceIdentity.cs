using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Identity;

/// <summary>Section <c>Auth</c> as the web app reads it: the key it shares with the browser service.</summary>
public sealed class WebAuthOptions
{
    public const string SectionName = "Auth";

    public string ServiceKey { get; set; } = "";

    public AdminOptions Admin { get; set; } = new();

    public sealed class AdminOptions
    {
        public string UserName { get; set; } = "admin";
    }
}

/// <summary>
/// Says to the browser service whom the web app acts for, signed with the shared service key (see
/// <see cref="CallerSignature"/>). Until people sign in to the web app, it acts for the administrator
/// (<c>Auth:Admin:UserName</c>): whoever reaches the web app is that person, as before; the service itself is no
/// longer open to anyone who reaches its port.
/// </summary>
public sealed class ServiceIdentity(IOptions<WebAuthOptions> options, TimeProvider time)
{
    /// <summary>Long enough for a slow request; a live-view connection is checked once, when it opens.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public string CurrentUser => options.Value.Admin.UserName;

    public string Sign() => CallerSignature.Sign(CurrentUser, time.GetUtcNow() + Lifetime, options.Value.ServiceKey);
}

/// <summary>Adds the signed identity to every call the web app's own code makes to the browser service.</summary>
public sealed class ServiceIdentityHandler(ServiceIdentity identity) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(CallerSignature.Header);
        request.Headers.Add(CallerSignature.Header, identity.Sign());
        return base.SendAsync(request, cancellationToken);
    }
}
