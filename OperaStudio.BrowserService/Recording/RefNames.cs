using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// A ref (<c>e12</c>) means nothing outside the snapshot it came from, so a recorded step that named its element by
/// ref is also given a description (<c>Paint blue button</c>) read from the element as the step starts: a replay in a
/// fresh session finds the element by that. Never an input's value: a password field is named by its label.
/// </summary>
internal static class RefNames
{
    private const string Describe = """
        e => {
          const tag = e.tagName;
          const field = tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
          const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)
            || e.getAttribute('placeholder') || e.getAttribute('title') || e.getAttribute('alt') || (field ? '' : e.innerText) || '';
          const type = (e.getAttribute('type') || '').toLowerCase();
          const role = e.getAttribute('role') || ({ A: 'link', BUTTON: 'button', SELECT: 'combobox', TEXTAREA: 'textbox', IMG: 'image' })[tag]
            || (tag === 'INPUT' ? (['checkbox', 'radio'].includes(type) ? type : ['submit', 'button', 'reset'].includes(type) ? 'button' : 'textbox') : '');
          const text = label.trim().replace(/\s+/g, ' ').slice(0, 80);
          return [text, role].filter(Boolean).join(' ');
        }
        """;

    /// <summary>The ref a step's arguments name, when they name no description.</summary>
    public static string? RefOf(string arguments)
    {
        try
        {
            return JsonNode.Parse(arguments) is JsonObject args && args["ref"]?.GetValueKind() == JsonValueKind.String
                && args["description"] is null && args["ref"]!.GetValue<string>() is { Length: > 0 } reference
                ? reference.Trim().TrimStart('[').TrimEnd(']').Replace("ref=", "", StringComparison.Ordinal)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<string?> DescribeAsync(BrowserSession session, string reference)
    {
        if (!PageSnapshot.IsRef(reference) || session.IsClosed)
        {
            return null;
        }

        try
        {
            var name = await PageSnapshot.Locate(session.ActiveTab.Page, reference)
                .EvaluateAsync<string>(Describe, null, new LocatorEvaluateOptions { Timeout = 2_000 });
            return string.IsNullOrWhiteSpace(name) ? null : name;
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The arguments with the description added beside the ref.</summary>
    public static string WithDescription(string arguments, string description)
    {
        try
        {
            if (JsonNode.Parse(arguments) is JsonObject args)
            {
                args["description"] = description;
                return args.ToJsonString();
            }
        }
        catch (JsonException)
        {
        }

        return arguments;
    }
}
