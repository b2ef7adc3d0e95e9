using System.Net.Http.Headers;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The keys the in-process services run with: the service key the web app signs whom it acts for with, and the
/// administrator's token, which the fixtures' own clients (REST and hub) use unless a test acts as someone else.
/// </summary>
public static class TestIdentity
{
    public const string ServiceKey = "tests-service-key-0123456789abcdefghijklmnopqrstuvwxyz";
    public const string AdminToken = "tests-admin-token-0123456789abcdefghij";
    public const string AdminUserName = "admin";

    /// <summary>The web app's first administrator's password (<c>Auth:Admin:Password</c>) in every test that starts one.</summary>
    public const string AdminPassword = "tests-admin-password-0123";

    /// <summary>The identity header the web app would send for <paramref name="user"/>.</summary>
    public static string SignedFor(string user, TimeSpan? lifetime = null) =>
        CallerSignature.Sign(user, DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromMinutes(5)), ServiceKey);

    /// <summary>A client of <paramref name="service"/> that acts for <paramref name="user"/> (as the web app does for a person).</summary>
    public static HttpClient ClientFor(Uri service, string user)
    {
        var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add(CallerSignature.Header, SignedFor(user, TimeSpan.FromHours(1)));
        return http;
    }

    public static AuthenticationHeaderValue AdminBearer => new("Bearer", AdminToken);
}
