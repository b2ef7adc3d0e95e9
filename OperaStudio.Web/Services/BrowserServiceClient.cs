using System.Text.Json;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Web.Services;

/// <summary>Typed client for the browser service, found through service discovery (<c>http://browser</c>).</summary>
public sealed class BrowserServiceClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.BrowserService}");

    /// <summary>Asks the browser service's readiness endpoint; never throws.</summary>
    public async Task<ServiceStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = JsonDocument.Parse(body).RootElement.TryGetProperty("status", out var s) ? s.GetString() : null;
            return new ServiceStatus(response.IsSuccessStatusCode, status ?? response.StatusCode.ToString(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return new ServiceStatus(false, "Unreachable", ex.Message);
        }
    }
}

public sealed record ServiceStatus(bool IsHealthy, string Status, string? Error);
