using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace OperaStudio.Web.Identity;

/// <summary>
/// Who is at the keyboard, for code that runs outside the component's scope — the browser service client's message
/// handlers live in the HTTP client factory's own scope and cannot see the circuit's authentication state. Inside a
/// circuit it is the circuit's person (set for every inbound activity by <see cref="CurrentPersonCircuitHandler"/>);
/// in a plain request, the request's.
/// </summary>
public sealed class CurrentPerson(IHttpContextAccessor http)
{
    private static readonly AsyncLocal<string?> CircuitPerson = new();

    public string? Name => CircuitPerson.Value ?? NameOf(http.HttpContext?.User);

    internal static string? NameOf(System.Security.Claims.ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    internal static void SetForCircuit(string? name) => CircuitPerson.Value = name;
}

/// <summary>
/// Flows the circuit's person into everything an event, a JS call or a render of that circuit starts (continuations
/// carry it along), so a sign-out or a deleted account takes effect on the next call.
/// </summary>
internal sealed class CurrentPersonCircuitHandler(AuthenticationStateProvider authentication) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var state = await authentication.GetAuthenticationStateAsync();
            CurrentPerson.SetForCircuit(CurrentPerson.NameOf(state.User));
            await next(context);
        };
}
