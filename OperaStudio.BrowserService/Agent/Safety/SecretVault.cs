using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Safety;

/// <summary>
/// A session's named secrets (kept in memory for the session's life), each bound to the sites it may be used on, as a
/// password manager binds a password. The model never sees a value: it writes <c>{{secret:NAME}}</c>, the tools put
/// the value in when they type it into a field of an allowed site (<see cref="RefusalFor"/>), and every text that leaves
/// a step — to the model, the actions API, the step log or history — has any stored value replaced by its placeholder.
/// </summary>
public sealed partial class SecretVault
{
    public const int MaxValueLength = InputLimits.SecretValue;

    private readonly ConcurrentDictionary<string, Secret> _secrets = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _secrets.Keys.Order(StringComparer.Ordinal)];

    public IReadOnlyList<SecretDto> List => [.. _secrets.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new SecretDto(s.Key, s.Value.Origins))];

    public static string Placeholder(string name) => $"{{{{secret:{name}}}}}";

    public static bool IsValidName(string? name) => name is not null && NameRule().IsMatch(name);

    /// <summary>
    /// The origin (scheme://host[:port], lower case) that <paramref name="site"/> names: a URL's origin, or https for a
    /// bare host. Null for anything else (another scheme, no host, a wildcard).
    /// </summary>
    public static string? ParseOrigin(string? site)
    {
        var text = site?.Trim() ?? "";
        if (text.Length is 0 or > InputLimits.Url || text.Contains('*', StringComparison.Ordinal))
        {
            return null;
        }

        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0 && url.UserInfo.Length == 0
            ? url.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
    }

    public void Set(string name, string value, IReadOnlyList<string> origins)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("A secret's name is 1 to 64 letters, digits, '_', '-' or '.'.", nameof(name));
        }

        var parsed = origins.Select(ParseOrigin).ToList();
        if (parsed.Count == 0 || parsed.Any(o => o is null))
        {
            throw new ArgumentException("A secret needs at least one site (an http or https origin).", nameof(origins));
        }

        _secrets[name] = new Secret(value, [.. parsed.Distinct(StringComparer.Ordinal)!]);
    }

    public bool Remove(string name) => _secrets.TryRemove(name, out _);

    public bool HasPlaceholder(string? text) => text is not null && PlaceholderRule().IsMatch(text);

    /// <summary>
    /// Why the secrets <paramref name="text"/> names may not be typed into a page of <paramref name="origin"/>, or null
    /// when they all may (an unknown name is left to <see cref="Substitute"/> to explain).
    /// </summary>
    public string? RefusalFor(string text, string origin)
    {
        foreach (Match match in PlaceholderRule().Matches(text))
        {
            var name = match.Groups["name"].Value;
            if (_secrets.TryGetValue(name, out var secret) && !secret.Origins.Contains(origin.ToLowerInvariant(), StringComparer.Ordinal))
            {
                return $"The secret '{name}' may be used only on {string.Join(", ", secret.Origins)}; this field is on {origin}. "
                    + "Nothing was typed. Ask the user to allow this site for the secret if it belongs there.";
            }
        }

        return null;
    }

    /// <summary>Puts the values in for their placeholders; an unknown name is an error the model can act on.</summary>
    public string Substitute(string text) =>
        PlaceholderRule().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            return _secrets.TryGetValue(name, out var secret)
                ? secret.Value
                : throw new Tools.ToolException(Names.Count == 0
                    ? $"There is no secret named '{name}': the user has stored none in this session."
                    : $"There is no secret named '{name}'. Stored secrets: {string.Join(", ", Names)}.");
        });

    /// <summary>Replaces every stored value in <paramref name="text"/> by its placeholder (longest values first).</summary>
    public string Scrub(string text)
    {
        if (_secrets.IsEmpty || string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var (name, secret) in _secrets.OrderByDescending(s => s.Value.Value.Length))
        {
            if (secret.Value.Length > 0)
            {
                text = text.Replace(secret.Value, Placeholder(name), StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The same for every string (and name) inside a JSON value: a script's result, extracted data. A new tree.</summary>
    public JsonNode? Scrub(JsonNode? node) => _secrets.IsEmpty ? node : Rebuild(node);

    private JsonNode? Rebuild(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => RebuildObject(obj),
        JsonArray array => new JsonArray([.. array.Select(Rebuild)]),
        _ when node.GetValueKind() == JsonValueKind.String => JsonValue.Create(Scrub(node.GetValue<string>())),
        _ => node.DeepClone(),
    };

    private JsonObject RebuildObject(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            copy[Scrub(key)] = Rebuild(value); // two names that scrub alike: the last one stays
        }

        return copy;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex NameRule();

    [GeneratedRegex(@"\{\{\s*secret:(?<name>[A-Za-z0-9_.\-]{1,64})\s*\}\}")]
    private static partial Regex PlaceholderRule();

    private sealed record Secret(string Value, IReadOnlyList<string> Origins);
}
