namespace OperaStudio.BrowserService.Security;

/// <summary>A refusal the proxy answered, kept so a failed navigation can be explained afterwards.</summary>
public sealed record ProxyRefusal(string Host, int Port, UrlDecision Decision, DateTimeOffset At);
