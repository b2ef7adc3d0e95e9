using Microsoft.AspNetCore.Http.HttpResults;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// A caller's personal API tokens: make one (shown once), list them (never the token), revoke one; and the
/// administrator's revocation of all of a user's tokens, for when the web app deletes or disables that user.
/// </summary>
public static class ApiTokensApi
{
    public static IEndpointRouteBuilder MapApiTokensApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithTags("Tokens");
        tokens.MapPost("/", CreateAsync);
        tokens.MapGet("/", ListAsync);
        tokens.MapDelete("/{id}", RevokeAsync);
        app.MapDelete("/api/users/{user}/tokens", RevokeAllAsync).WithTags("Tokens").RequireAuthorization(Callers.AdminRole);
        return app;
    }

    private static async Task<Results<Created<CreatedApiTokenDto>, ProblemHttpResult>> CreateAsync(
        CreateApiTokenRequest? request, ApiTokenStore store, HttpContext http, CancellationToken cancellationToken)
    {
        // A leaked token that could mint tokens would outlive its own revocation.
        if (Callers.TokenId(http.User) is not null)
        {
            return Problems.Forbidden(
                "Tokens cannot create tokens",
                "A personal API token cannot create tokens: create them signed in, in the web app (or with the administrator's token).",
                "token-cannot-create-tokens");
        }

        var name = request?.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            return Problems.BadRequest(
                "Token name required", $"Give the token a 'name' of 1 to {ApiTokenRules.MaxNameLength} characters, to tell it apart later.", "name-required");
        }

        if (name.Length > ApiTokenRules.MaxNameLength)
        {
            return Problems.TooLong("name", name.Length, ApiTokenRules.MaxNameLength);
        }

        if (request?.ExpiresInDays is { } days && days is < 1 or > ApiTokenRules.MaxExpiresInDays)
        {
            return Problems.BadRequest(
                "Expiry out of range",
                $"'expiresInDays' is {days}: give 1 to {ApiTokenRules.MaxExpiresInDays} days, or leave it out (null) for a token that does not expire.",
                "expiry-out-of-range");
        }

        try
        {
            var created = await store.CreateAsync(Callers.Name(http.User), name, request?.ExpiresInDays, cancellationToken);
            // No Location: a token is never read back on its own, only listed.
            return created is null
                ? Problems.Conflict(
                    "Too many tokens",
                    $"You hold {ApiTokenRules.MaxPerUser} API tokens, the most one user may. Delete some (expired ones too) to make another.",
                    "token-limit")
                : TypedResults.Created((string?)null, created);
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static async Task<Results<Ok<IReadOnlyList<ApiTokenDto>>, ProblemHttpResult>> ListAsync(
        ApiTokenStore store, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await store.ListAsync(Callers.Name(http.User), cancellationToken));
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    /// <summary>The caller's own tokens only (the administrator's too): someone else's answers as one that does not exist.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, ApiTokenStore store, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return await store.RevokeAsync(Callers.Name(http.User), id, cancellationToken)
                ? TypedResults.NoContent()
                : Problems.NotFound("Token not found", $"You have no API token '{id}'. It was revoked, or never existed.");
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAllAsync(string user, ApiTokenStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.RevokeAllAsync(user, cancellationToken);
            return TypedResults.NoContent();
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static ProblemHttpResult Unavailable(Exception ex) =>
        TypedResults.Problem(
            $"API tokens are unavailable: PostgreSQL is not reachable ({ex.GetBaseException().Message}).",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Tokens unavailable");
}
