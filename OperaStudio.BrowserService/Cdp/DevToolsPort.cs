using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>
/// <c>--remote-debugging-port=0</c>: Chromium opens its DevTools WebSocket on 127.0.0.1 at a port of its choosing. Pages
/// cannot use it: Chromium refuses a WebSocket upgrade that carries an Origin header it was not told to allow, and the
/// filtering proxy refuses loopback to pages anyway.
/// </summary>
internal sealed class DevToolsPort(IOptions<CdpOptions> options) : IBrowserLaunchArguments
{
    public IEnumerable<string> Arguments => options.Value.Enabled ? ["--remote-debugging-port=0"] : [];
}
