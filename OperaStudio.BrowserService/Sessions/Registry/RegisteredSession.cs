using System.Globalization;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Sessions.Registry;

/// <summary>A live session as the registry knows it, on whichever node runs it.</summary>
public sealed record RegisteredSession(SessionDto Session, string Node, string? Owner, string Control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static RegisteredSession From(IReadOnlyDictionary<string, string?> fields)
    {
        string Field(string name) => fields.TryGetValue(name, out var value) && value is not null ? value : "";
        DateTimeOffset Time(string name) =>
            DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(Field(name), CultureInfo.InvariantCulture, out var ms) ? ms : 0);

        var session = new SessionDto(
            Field("id"),
            Field("activeTabId"),
            JsonSerializer.Deserialize<List<TabDto>>(Field("tabs") is { Length: > 0 } tabs ? tabs : "[]", Json) ?? [],
            Time("createdAt"),
            Time("lastActivityAt"),
            int.TryParse(Field("viewers"), CultureInfo.InvariantCulture, out var viewers) ? viewers : 0,
            JsonSerializer.Deserialize<ViewportDto>(Field("viewport") is { Length: > 0 } viewport ? viewport : "null", Json) ?? new ViewportDto(0, 0, 1));
        return new RegisteredSession(session, Field("node"), Field("owner") is { Length: > 0 } owner ? owner : null, Field("control"));
    }
}
