using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>What one CDP connection may reach: its session's browser context, through the URL policy, while no person holds control.</summary>
internal sealed record CdpScope(BrowserSession Session, string ContextId, UrlGuard Guard, CdpControl Control, CdpActivity Activity);
