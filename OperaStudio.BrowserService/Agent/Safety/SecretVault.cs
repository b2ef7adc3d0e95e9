using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Agent.Safety;

/// <summary>
/// A session's named secrets (kept in memory for the session's life). The model never sees a value: it writes
/// <c>{{secret:NAME}}</c>, the tools substitute the value when they type it into the page, and every text going to
/// the model has any stored value replaced by its placeholder again.
/// </summary>
public sealed partial class SecretVault
{
    public const int MaxValueLength = Contracts.InputLimits.SecretValue;

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _secrets.Keys.Order(StringComparer.Ordinal)];

    public static string Placeholder(string name) => $"{{{{secret:{name}}}}}";

    public static bool IsValidName(string? name) => name is not null && NameRule().IsMatch(name);

    public void Set(string name, string value)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("A secret's name is 1 to 64 letters, digits, '_', '-' or '.'.", nameof(name));
        }

        _secrets[name] = value;
    }

    public bool Remove(string name) => _secrets.TryRemove(name, out _);

    public bool HasPlaceholder(string? text) => text is not null && PlaceholderRule().IsMatch(text);

    /// <summary>Puts the values in for their placeholders; an unknown name is an error the model can act on.</summary>
    public string Substitute(string text) =>
        PlaceholderRule().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            return _secrets.TryGetValue(name, out var value)
                ? value
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

        foreach (var (name, value) in _secrets.OrderByDescending(s => s.Value.Length))
        {
            if (value.Length > 0)
            {
                text = text.Replace(value, Placeholder(name), StringComparison.Ordinal);
            }
        }

        return text;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex NameRule();

    [GeneratedRegex(@"\{\{\s*secret:(?<name>[A-Za-z0-9_.\-]{1,64})\s*\}\}")]
    private static partial Regex PlaceholderRule();
}
