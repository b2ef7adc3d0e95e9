using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Services;

/// <summary>The history and operations parts of the browser service's API.</summary>
public sealed partial class BrowserServiceClient
{
    public Task<ApiResult<PastSessionsPageDto>> ListPastSessionsAsync(int skip, int take, CancellationToken cancellationToken = default) =>
        SendAsync<PastSessionsPageDto>(HttpMethod.Get, $"/api/history/sessions?skip={skip}&take={take}", null, cancellationToken);

    public Task<ApiResult<SessionTimelineDto>> GetTimelineAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionTimelineDto>(HttpMethod.Get, $"/api/history/sessions/{Uri.EscapeDataString(sessionId)}", null, cancellationToken);

    public Task<ApiResult<OperationsDto>> GetOperationsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<OperationsDto>(HttpMethod.Get, "/api/operations", null, cancellationToken);
}
