using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Tools;

// Tools that act on elements: click, type, select, hover, press, scroll, wait_for, fill_form.
public sealed partial class BrowserTools
{
    /// <summary>Clicks an element given by ref, description or visible text, or whatever is at a point of the viewport.</summary>
    public Task<ToolOutcome> ClickAsync(ClickTarget where, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Click, where.ForLog(), origin, async (step, ct) =>
        {
            if (where.Point is { } point)
            {
                return await ClickAtAsync(step, point.X, point.Y, ct);
            }

            var target = where.Text is { } text
                ? await ResolveTextAsync(text, ct)
                : await ResolveAsync(where.Ref, where.Description, roles: null, ct);
            var probe = await BoundedAsync(target.Locator.EvaluateAsync<JsonElement>(PageScripts.ClickProbe, null, new() { Timeout = Timeout }), ct);
            await ApproveAsync(step, await ClickSensitivitiesAsync(probe, ct), target, ct);
            await ActAsync(
                target.Locator,
                WaitForSelectorState.Visible,
                t => target.Locator.ClickAsync(new() { Trial = true, Timeout = t }),
                t => target.Locator.ClickAsync(new() { Timeout = t, Force = true }),
                idempotent: false,
                ct);
            await SettleAsync(ct);
            return ToolResult.Done($"Clicked {target.Name}");
        }, cancellationToken);

    /// <summary>A click at viewport CSS pixels, as a person's would be: whatever is on top there receives it.</summary>
    private async Task<ToolResult> ClickAtAsync(AgentStepDto step, double x, double y, CancellationToken ct)
    {
        var page = Browser.ActiveTab.Page;
        var viewport = Browser.Viewport;
        if (x < 0 || y < 0 || x >= viewport.Width || y >= viewport.Height)
        {
            throw new ToolException($"({x:0.#}, {y:0.#}) is outside the viewport ({viewport.Width}×{viewport.Height} CSS pixels).");
        }

        var element = (await BoundedAsync(page.EvaluateHandleAsync("([x, y]) => document.elementFromPoint(x, y)", new[] { x, y }), ct)).AsElement();
        var name = element is null ? "nothing" : await BoundedAsync(element.EvaluateAsync<string>(PageScripts.DescribeElement), ct);
        if (element is not null)
        {
            var probe = await BoundedAsync(element.EvaluateAsync<JsonElement>(PageScripts.ClickProbe), ct);
            await ApproveAsync(step, await ClickSensitivitiesAsync(probe, ct), target: null, ct);
        }

        ct.ThrowIfCancellationRequested();
        await BoundedAsync(page.Mouse.ClickAsync((float)x, (float)y), ct);
        await SettleAsync(ct);
        return ToolResult.Done($"Clicked at ({x:0.#}, {y:0.#}) on {name}");
    }

    /// <summary>What a click would do that needs approval: submit a password, start a download, leave for a sensitive URL.</summary>
    private async Task<List<string>> ClickSensitivitiesAsync(JsonElement probe, CancellationToken ct)
    {
        var detected = new List<string>();
        if (probe.GetProperty("passwordSubmit").GetBoolean())
        {
            detected.Add(Sensitivity.PasswordSubmit);
        }

        if (probe.GetProperty("download").GetBoolean())
        {
            detected.Add(Sensitivity.Download);
        }

        if (probe.GetProperty("href").GetString() is { } href && Uri.TryCreate(href, UriKind.Absolute, out var link) && link.Scheme is "http" or "https")
        {
            var check = await _guard.CheckAsync(href, ct);
            if (!check.Allowed)
            {
                throw new ToolException($"The URL policy refuses where this link goes ({href}): {check.Reason}");
            }

            detected.AddRange(UrlSensitivities(check.Url!));
        }

        return detected;
    }

    public Task<ToolOutcome> TypeAsync(string reference, string text, bool submit, StepOrigin origin, CancellationToken cancellationToken) =>
        TypeAsync(reference, null, text, submit, origin, cancellationToken);

    /// <summary>Types into an input given by ref or by description (workflows name elements by description).</summary>
    public Task<ToolOutcome> TypeAsync(string? reference, string? description, string text, bool submit, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Type, new { @ref = reference, description, text, submit = submit ? true : (bool?)null }, origin, async (step, ct) =>
        {
            var target = await ResolveAsync(reference, description, roles: null, ct);
            var value = _agent.Vault.Substitute(text);
            await GuardSecretsAsync(step, [(target, text)], ct);
            if (submit && await BoundedAsync(target.Locator.EvaluateAsync<bool>(PageScripts.EnterProbe, null, new() { Timeout = Timeout }), ct))
            {
                await ApproveAsync(step, [Sensitivity.PasswordSubmit], target, ct);
            }

            await ActAsync(target.Locator, WaitForSelectorState.Visible, null, t => target.Locator.FillAsync(value, new() { Timeout = t }), idempotent: true, ct);
            if (submit)
            {
                await ActAsync(target.Locator, WaitForSelectorState.Attached, null, t => target.Locator.PressAsync("Enter", PressOnly(t)), idempotent: false, ct);
                await SettleAsync(ct);
            }

            var what = _agent.Vault.HasPlaceholder(text) ? "a secret" : $"\"{Shorten(text, 60)}\"";
            return ToolResult.Done($"Typed {what} into {target.Name}{(submit ? " and pressed Enter" : "")}");
        }, cancellationToken);

    public Task<ToolOutcome> SelectAsync(string reference, string value, StepOrigin origin, CancellationToken cancellationToken) =>
        SelectAsync(reference, null, value, origin, cancellationToken);

    /// <summary>Chooses an option in a drop-down given by ref or by description.</summary>
    public Task<ToolOutcome> SelectAsync(string? reference, string? description, string value, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Select, new { @ref = reference, description, value }, origin, async (_, ct) =>
        {
            var target = await ResolveAsync(reference, description, roles: null, ct);
            IReadOnlyList<string> selected = [];
            await ActAsync(
                target.Locator, WaitForSelectorState.Visible, null, async t => selected = await target.Locator.SelectOptionAsync(value, new() { Timeout = t }), idempotent: true, ct);
            return selected.Count == 0
                ? throw new ToolException($"{target.Name} has no option \"{value}\".")
                : ToolResult.Done($"Selected \"{value}\" in {target.Name}");
        }, cancellationToken);

    public Task<ToolOutcome> HoverAsync(string reference, StepOrigin origin, CancellationToken cancellationToken) =>
        HoverAsync(reference, null, origin, cancellationToken);

    /// <summary>Hovers over an element given by ref or by description.</summary>
    public Task<ToolOutcome> HoverAsync(string? reference, string? description, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Hover, new { @ref = reference, description }, origin, async (_, ct) =>
        {
            var target = await ResolveAsync(reference, description, roles: null, ct);
            await ActAsync(
                target.Locator,
                WaitForSelectorState.Visible,
                t => target.Locator.HoverAsync(new() { Trial = true, Timeout = t }),
                t => target.Locator.HoverAsync(new() { Timeout = t, Force = true }),
                idempotent: true,
                ct);
            return ToolResult.Done($"Hovered over {target.Name}");
        }, cancellationToken);

    public Task<ToolOutcome> PressAsync(string key, string? reference, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Press, new { key, @ref = reference }, origin, async (step, ct) =>
        {
            var target = reference is null ? null : await ResolveAsync(reference, null, roles: null, ct);
            if (key.Equals("Enter", StringComparison.OrdinalIgnoreCase))
            {
                var submitsPassword = target is null
                    ? await BoundedAsync(Browser.ActiveTab.Page.EvaluateAsync<bool>($"() => ({PageScripts.EnterProbe})(null)"), ct)
                    : await BoundedAsync(target.Locator.EvaluateAsync<bool>(PageScripts.EnterProbe, null, new() { Timeout = Timeout }), ct);
                if (submitsPassword)
                {
                    await ApproveAsync(step, [Sensitivity.PasswordSubmit], target, ct);
                }
            }

            if (target is null)
            {
                await BoundedAsync(Browser.ActiveTab.Page.Keyboard.PressAsync(key), ct);
            }
            else
            {
                await ActAsync(target.Locator, WaitForSelectorState.Attached, null, t => target.Locator.PressAsync(key, PressOnly(t)), idempotent: false, ct);
            }

            await SettleAsync(ct);
            return ToolResult.Done($"Pressed {key}{(target is null ? "" : $" in {target.Name}")}");
        }, cancellationToken);

    public Task<ToolOutcome> ScrollAsync(string? direction, string? reference, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Scroll, new { direction, @ref = reference }, origin, async (_, ct) =>
        {
            if (reference is not null)
            {
                var target = await ResolveAsync(reference, null, roles: null, ct);
                await ActAsync(
                    target.Locator, WaitForSelectorState.Visible, null, t => target.Locator.ScrollIntoViewIfNeededAsync(new() { Timeout = t }), idempotent: true, ct);
                return ToolResult.Done($"Scrolled {target.Name} into view");
            }

            var where = (direction ?? "down").Trim().ToLowerInvariant();
            if (where is not ("down" or "up" or "top" or "bottom" or "left" or "right"))
            {
                throw new ToolException($"Unknown scroll direction '{direction}'; use down, up, top, bottom, left or right.");
            }

            var position = await BoundedAsync(Browser.ActiveTab.Page.EvaluateAsync<int[]>(PageScripts.Scroll, where), ct);
            return ToolResult.Done($"Scrolled {where}: now at {position[0]} of {position[1]} px (viewport {position[2]} px)");
        }, cancellationToken);

    public Task<ToolOutcome> WaitForAsync(string? text, string? url, string? reference, int? milliseconds, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.WaitFor, new { text, url, @ref = reference, ms = milliseconds }, origin, async (_, ct) =>
        {
            var given = new object?[] { text, url, reference, milliseconds }.Count(v => v is not null);
            if (given != 1)
            {
                throw new ToolException("wait_for takes exactly one of text, url, ref or ms.");
            }

            var page = Browser.ActiveTab.Page;
            if (milliseconds is { } ms)
            {
                if (ms is < 0 or > 60_000)
                {
                    throw new ToolException("ms must be between 0 and 60000.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(ms), _time, ct);
                return ToolResult.Done($"Waited {ms} ms");
            }

            if (text is not null)
            {
                await page.GetByText(text).First.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = Timeout }).WaitAsync(ct);
                return ToolResult.Done($"\"{Shorten(text, 60)}\" is on the page");
            }

            if (url is not null)
            {
                // Not WaitUntil = Commit: Playwright 1.64 then never returns when the URL already matches.
                await page.WaitForURLAsync(u => u.Contains(url, StringComparison.OrdinalIgnoreCase), new() { Timeout = Timeout }).WaitAsync(ct);
                return ToolResult.Done($"The tab is at {page.Url}");
            }

            var target = await ResolveAsync(reference, null, roles: null, ct);
            await target.Locator.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = Timeout }).WaitAsync(ct);
            return ToolResult.Done($"{target.Name} is visible");
        }, cancellationToken);

    public Task<ToolOutcome> FillFormAsync(IReadOnlyDictionary<string, string> fields, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.FillForm, new { fields }, origin, async (step, ct) =>
        {
            if (fields.Count == 0)
            {
                throw new ToolException("fields is empty: give each field's label and the value to put in it.");
            }

            var page = Browser.ActiveTab.Page;
            var snapshot = await PageSnapshot.TakeAsync(page, Timeout, ct);
            var resolved = new List<(string Label, string Value, SnapshotNode Node)>();
            var problems = new List<string>();
            foreach (var (label, value) in fields)
            {
                var resolution = ElementResolver.Resolve(snapshot.Nodes, label, ElementResolver.FieldRoles);
                if (resolution.Node is { } node)
                {
                    resolved.Add((label, value, node));
                }
                else
                {
                    problems.Add(resolution.Error!);
                }
            }

            if (problems.Count > 0)
            {
                throw new ToolException(string.Join(" ", problems) + " Nothing was filled.", fromPage: true);
            }

            await GuardSecretsAsync(step, resolved.Select(r => (new Target(PageSnapshot.Locate(page, r.Node.Ref!), r.Node.Ref, r.Node.Describe()), r.Value)), ct);
            foreach (var (label, value, node) in resolved)
            {
                var locator = PageSnapshot.Locate(page, node.Ref!);
                switch (node.Role)
                {
                    case "checkbox" or "radio" or "switch":
                        await ActAsync(
                            locator,
                            WaitForSelectorState.Visible,
                            t => locator.SetCheckedAsync(IsTrue(value), new() { Trial = true, Timeout = t }),
                            t => locator.SetCheckedAsync(IsTrue(value), new() { Timeout = t, Force = true }),
                            idempotent: true,
                            ct);
                        break;
                    case "combobox" or "listbox" when await BoundedAsync(locator.EvaluateAsync<bool>("e => e instanceof HTMLSelectElement", null, new() { Timeout = Timeout }), ct):
                        IReadOnlyList<string> chosen = [];
                        await ActAsync(locator, WaitForSelectorState.Visible, null, async t => chosen = await locator.SelectOptionAsync(value, new() { Timeout = t }), idempotent: true, ct);
                        if (chosen.Count == 0)
                        {
                            throw new ToolException($"{node.Describe()} (for \"{label}\") has no option \"{value}\".", fromPage: true);
                        }

                        break;
                    default:
                        await ActAsync(locator, WaitForSelectorState.Visible, null, t => locator.FillAsync(_agent.Vault.Substitute(value), new() { Timeout = t }), idempotent: true, ct);
                        break;
                }
            }

            return ToolResult.Done($"Filled {string.Join(", ", resolved.Select(r => r.Node.Describe()))}");
        }, cancellationToken);

    private static bool IsTrue(string value) =>
        value.Trim().ToLowerInvariant() is "true" or "yes" or "on" or "1" or "checked" or "x" or "✓";
}
