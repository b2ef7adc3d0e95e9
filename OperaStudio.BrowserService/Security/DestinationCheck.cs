using System.Net;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// What the proxy may connect to for one host:port: the resolved addresses that passed, in resolver order. Empty
/// when refused; <see cref="Decision"/> then says why (the first refusal when several addresses failed).
/// </summary>
public sealed record DestinationCheck(UrlDecision Decision, IReadOnlyList<IPAddress> Addresses)
{
    public static DestinationCheck Refused(UrlDecision decision) => new(decision, []);
}
