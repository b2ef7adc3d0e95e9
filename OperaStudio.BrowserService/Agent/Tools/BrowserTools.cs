using OperaStudio.BrowserService.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// The browser tools, one implementation each, used by the model's plugin and by the actions API alike: same
/// URL policy, same approvals, same step log. Each acts on the session's active tab, addresses elements by
/// snapshot ref (or by a description resolved against the snapshot), and reports a small result. Expected failures
/// come back as errors (the run carries on); only cancellation escapes.
/// </summary>
public sealed partial class BrowserTools
{
    private static readonly JsonSerializerOptions ArgumentsJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static readonly HashSet<string> DownloadExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".exe", ".msi", ".dmg", ".pkg", ".deb", ".rpm", ".apk", ".iso",
        ".bin", ".pdf", ".csv", ".xls", ".xlsx", ".doc", ".docx", ".ppt", ".pptx",
    };

    private readonly AgentSession _agent;
    private readonly UrlGuard _guard;
    private readonly ApprovalPolicy _policy;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal BrowserTools(AgentSession agent, UrlGuard guard, ApprovalPolicy policy, AgentOptions options, TimeProvider time, ILogger logger)
    {
        _agent = agent;
        _guard = guard;
        _policy = policy;
        _options = options;
        _time = time;
        _logger = logger;
    }

    private BrowserSession Browser => _agent.Browser;

    private float Timeout => _options.ToolTimeoutSeconds * 1000f;

    public Task<ToolOutcome> NavigateAsync(string url, string? waitUntil, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Navigate, new { url, wait_until = waitUntil }, origin, async (step, ct) =>
        {
            var state = ParseWaitUntil(waitUntil);
            var target = await CheckUrlAsync(url, step, ct);
            var tab = Browser.ActiveTab;
            try
            {
                await tab.NavigateAsync(target, ct);
                await tab.Page.WaitForLoadStateAsync(state, new() { Timeout = Timeout }).WaitAsync(ct);
            }
            catch (PlaywrightException ex) when (ex.Message.Contains("Download is starting", StringComparison.Ordinal))
            {
                return ToolResult.Done($"{target} started a download; it is in the session's downloads.");
            }

            var title = await TitleAsync(tab.Page);
            return new ToolResult(
                $"Opened {tab.Page.Url}",
                $"Opened {tab.Page.Url} — title: \"{title}\". Take a snapshot to see the page.",
                new JsonObject { ["url"] = tab.Page.Url, ["title"] = title },
                FromPage: true,
                Source: tab.Page.Url);
        }, cancellationToken);

    public Task<ToolOutcome> SnapshotAsync(StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Snapshot, new { }, origin, async (_, ct) =>
        {
            var page = Browser.ActiveTab.Page;
            var snapshot = await PageSnapshot.TakeAsync(page, Timeout, ct);
            var trimmed = SnapshotTrimmer.Trim(snapshot.Nodes, _options.MaxSnapshotChars);
            LogSnapshot(Browser.Id, snapshot.Nodes.Count, trimmed.FullChars, trimmed.Chars);
            var header = $"Page: \"{snapshot.Title}\" — {snapshot.Url}\n";
            var summary = trimmed.Trimmed
                ? $"Snapshot of {snapshot.Nodes.Count} lines, trimmed from {trimmed.FullChars} to {trimmed.Chars} characters"
                : $"Snapshot of {snapshot.Nodes.Count} lines ({trimmed.Chars} characters)";
            return new ToolResult(summary, header + trimmed.Text, JsonValue.Create(header + snapshot.FullText), FromPage: true, Source: snapshot.Url);
        }, cancellationToken);

    public Task<ToolOutcome> ClickAsync(string? reference, string? description, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Click, new { @ref = reference, description }, origin, async (step, ct) =>
        {
            var target = await ResolveAsync(reference, description, roles: null, ct);
            var probe = await target.Locator.EvaluateAsync<JsonElement>(PageScripts.ClickProbe, null, new() { Timeout = Timeout }).WaitAsync(ct);
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

            await ApproveAsync(step, detected, target, ct);
            await target.Locator.ClickAsync(new() { Timeout = Timeout }).WaitAsync(ct);
            await SettleAsync(ct);
            return ToolResult.Done($"Clicked {target.Name}");
        }, cancellationToken);

    public Task<ToolOutcome> TypeAsync(string reference, string text, bool submit, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Type, new { @ref = reference, text, submit = submit ? true : (bool?)null }, origin, async (step, ct) =>
        {
            var target = await ResolveAsync(reference, null, roles: null, ct);
            var value = _agent.Vault.Substitute(text);
            if (submit && await target.Locator.EvaluateAsync<bool>(PageScripts.EnterProbe, null, new() { Timeout = Timeout }).WaitAsync(ct))
            {
                await ApproveAsync(step, [Sensitivity.PasswordSubmit], target, ct);
            }

            await target.Locator.FillAsync(value, new() { Timeout = Timeout }).WaitAsync(ct);
            if (submit)
            {
                await target.Locator.PressAsync("Enter", new() { Timeout = Timeout }).WaitAsync(ct);
                await SettleAsync(ct);
            }

            var what = _agent.Vault.HasPlaceholder(text) ? "a secret" : $"\"{Shorten(text, 60)}\"";
            return ToolResult.Done($"Typed {what} into {target.Name}{(submit ? " and pressed Enter" : "")}");
        }, cancellationToken);

    public Task<ToolOutcome> SelectAsync(string reference, string value, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Select, new { @ref = reference, value }, origin, async (_, ct) =>
        {
            var target = await ResolveAsync(reference, null, roles: null, ct);
            var selected = await target.Locator.SelectOptionAsync(value, new() { Timeout = Timeout }).WaitAsync(ct);
            return selected.Count == 0
                ? throw new ToolException($"{target.Name} has no option \"{value}\".")
                : ToolResult.Done($"Selected \"{value}\" in {target.Name}");
        }, cancellationToken);

    public Task<ToolOutcome> HoverAsync(string reference, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Hover, new { @ref = reference }, origin, async (_, ct) =>
        {
            var target = await ResolveAsync(reference, null, roles: null, ct);
            await target.Locator.HoverAsync(new() { Timeout = Timeout }).WaitAsync(ct);
            return ToolResult.Done($"Hovered over {target.Name}");
        }, cancellationToken);

    public Task<ToolOutcome> PressAsync(string key, string? reference, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Press, new { key, @ref = reference }, origin, async (step, ct) =>
        {
            var target = reference is null ? null : await ResolveAsync(reference, null, roles: null, ct);
            if (key.Equals("Enter", StringComparison.OrdinalIgnoreCase))
            {
                var submitsPassword = target is null
                    ? await Browser.ActiveTab.Page.EvaluateAsync<bool>($"() => ({PageScripts.EnterProbe})(null)").WaitAsync(ct)
                    : await target.Locator.EvaluateAsync<bool>(PageScripts.EnterProbe, null, new() { Timeout = Timeout }).WaitAsync(ct);
                if (submitsPassword)
                {
                    await ApproveAsync(step, [Sensitivity.PasswordSubmit], target, ct);
                }
            }

            if (target is null)
            {
                await Browser.ActiveTab.Page.Keyboard.PressAsync(key).WaitAsync(ct);
            }
            else
            {
                await target.Locator.PressAsync(key, new() { Timeout = Timeout }).WaitAsync(ct);
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
                await target.Locator.ScrollIntoViewIfNeededAsync(new() { Timeout = Timeout }).WaitAsync(ct);
                return ToolResult.Done($"Scrolled {target.Name} into view");
            }

            var where = (direction ?? "down").Trim().ToLowerInvariant();
            if (where is not ("down" or "up" or "top" or "bottom" or "left" or "right"))
            {
                throw new ToolException($"Unknown scroll direction '{direction}'; use down, up, top, bottom, left or right.");
            }

            var position = await Browser.ActiveTab.Page.EvaluateAsync<int[]>(PageScripts.Scroll, where).WaitAsync(ct);
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
        StepAsync(ToolNames.FillForm, new { fields }, origin, async (_, ct) =>
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

            foreach (var (label, value, node) in resolved)
            {
                var locator = page.Locator($"aria-ref={node.Ref}");
                switch (node.Role)
                {
                    case "checkbox" or "radio" or "switch":
                        await locator.SetCheckedAsync(IsTrue(value), new() { Timeout = Timeout }).WaitAsync(ct);
                        break;
                    case "combobox" or "listbox" when await locator.EvaluateAsync<bool>("e => e instanceof HTMLSelectElement").WaitAsync(ct):
                        if ((await locator.SelectOptionAsync(value, new() { Timeout = Timeout }).WaitAsync(ct)).Count == 0)
                        {
                            throw new ToolException($"{node.Describe()} (for \"{label}\") has no option \"{value}\".", fromPage: true);
                        }

                        break;
                    default:
                        await locator.FillAsync(_agent.Vault.Substitute(value), new() { Timeout = Timeout }).WaitAsync(ct);
                        break;
                }
            }

            return ToolResult.Done($"Filled {string.Join(", ", resolved.Select(r => r.Node.Describe()))}");
        }, cancellationToken);

    public Task<ToolOutcome> ExtractDataAsync(string schemaText, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.ExtractData, new { schema = TryParse(schemaText) }, origin, async (_, ct) =>
        {
            JsonSchema schema;
            JsonElement schemaJson;
            try
            {
                schemaJson = JsonDocument.Parse(schemaText).RootElement.Clone();
                schema = JsonSchema.FromText(schemaText);
            }
            catch (Exception ex) when (ex is JsonException or JsonSchemaException or ArgumentException)
            {
                throw new ToolException($"The schema is not a valid JSON Schema: {ex.Message}");
            }

            var page = Browser.ActiveTab.Page;
            // Playwright cannot pass a JsonElement into the page; the script parses the text.
            var raw = await page.EvaluateAsync<JsonElement?>(PageScripts.Extract, schemaText).WaitAsync(ct);
            var data = DataCoercion.Coerce(raw is { } r ? JsonNode.Parse(r.GetRawText()) : null, schemaJson);
            using var document = JsonDocument.Parse(data?.ToJsonString() ?? "null");
            var evaluation = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!evaluation.IsValid)
            {
                var reasons = (evaluation.Details ?? [])
                    .Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"at '{d.InstanceLocation}': {e.Value}"))
                    .Distinct()
                    .Take(10)
                    .ToList();
                throw new ToolException(
                    $"The data read from the page does not validate against the schema: {string.Join("; ", reasons)}. "
                    + $"What was read: {Shorten(data?.ToJsonString() ?? "null", 1500)}. "
                    + "Adjust the schema to the page's labels or column headers, or read the page with get_content.",
                    fromPage: true);
            }

            var json = data?.ToJsonString() ?? "null";
            var count = data is JsonArray array ? $"{array.Count} items" : "an object";
            return new ToolResult($"Extracted {count} that validate against the schema", Shorten(json, _options.MaxContentChars), data, FromPage: true, Source: page.Url);
        }, cancellationToken);

    public Task<ToolOutcome> ScreenshotAsync(bool fullPage, string? elementDescription, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Screenshot, new { full_page = fullPage ? true : (bool?)null, element_description = elementDescription }, origin, async (step, ct) =>
        {
            var tab = Browser.ActiveTab;
            byte[] jpeg;
            string what;
            if (elementDescription is not null)
            {
                var target = await ResolveAsync(null, elementDescription, roles: null, ct);
                jpeg = await target.Locator.ScreenshotAsync(new() { Type = ScreenshotType.Jpeg, Quality = 80, Timeout = Timeout }).WaitAsync(ct);
                await Browser.ApplyViewportAsync(tab);
                what = target.Name;
            }
            else
            {
                jpeg = await tab.ScreenshotAsync(fullPage).WaitAsync(ct);
                what = fullPage ? "the whole page" : "the visible page";
            }

            _agent.Steps.SetImage(step.Id, jpeg);
            var (width, height) = TabScreencast.JpegSize(jpeg);
            return new ToolResult(
                $"Screenshot of {what} ({width}×{height})",
                $"Took a {width}×{height} screenshot of {what}; the user sees it in the chat. Images do not reach you: take a snapshot to read the page.",
                new JsonObject { ["image"] = Convert.ToBase64String(jpeg), ["contentType"] = "image/jpeg", ["width"] = width, ["height"] = height });
        }, cancellationToken);

    public Task<ToolOutcome> ExecuteScriptAsync(string script, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.ExecuteScript, new { script }, origin, async (step, ct) =>
        {
            if (string.IsNullOrWhiteSpace(script))
            {
                throw new ToolException("script is empty.");
            }

            await ApproveAsync(step, [Sensitivity.ExecuteScript], null, ct);
            var page = Browser.ActiveTab.Page;
            var value = await page.EvaluateAsync<JsonElement?>(AsEvaluable(script)).WaitAsync(ct);
            var json = value is { } v ? v.GetRawText() : "null";
            return new ToolResult($"Ran a script: {Shorten(json, 80)}", Shorten(json, _options.MaxContentChars), JsonNode.Parse(json), FromPage: true, Source: page.Url);
        }, cancellationToken);

    public Task<ToolOutcome> GetContentAsync(string? format, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.GetContent, new { format }, origin, async (_, ct) =>
        {
            var page = Browser.ActiveTab.Page;
            var kind = (format ?? "text").Trim().ToLowerInvariant();
            var content = kind switch
            {
                "text" => await page.EvaluateAsync<string>(PageScripts.Text).WaitAsync(ct),
                "html" => await page.ContentAsync().WaitAsync(ct),
                "markdown" => await page.EvaluateAsync<string>(PageScripts.Markdown).WaitAsync(ct),
                _ => throw new ToolException($"Unknown format '{format}'; use text, html or markdown."),
            };
            var forModel = content.Length <= _options.MaxContentChars
                ? content
                : content[.._options.MaxContentChars] + $"\n… (cut: {content.Length} characters in all; scroll or extract_data for the rest)";
            return new ToolResult($"Read the page as {kind} ({content.Length} characters)", forModel, JsonValue.Create(content), FromPage: true, Source: page.Url);
        }, cancellationToken);

    public Task<ToolOutcome> TabsAsync(string action, string? tabId, string? url, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Tabs, new { action, tab_id = tabId, url }, origin, async (step, ct) =>
        {
            switch ((action ?? "").Trim().ToLowerInvariant())
            {
                case "list":
                    break;
                case "open":
                    var target = url is null ? null : await CheckUrlAsync(url, step, ct);
                    var opened = await Browser.OpenTabAsync(target, ct);
                    if (target is not null)
                    {
                        await opened.Page.WaitForLoadStateAsync(LoadState.Load, new() { Timeout = Timeout }).WaitAsync(ct);
                    }

                    break;
                case "switch":
                    if (tabId is null || !await Browser.ActivateAsync(tabId))
                    {
                        throw new ToolException($"There is no tab '{tabId}'. {(await ListTabsAsync()).Text}", fromPage: true);
                    }

                    break;
                case "close":
                    var closing = tabId ?? Browser.ActiveTab.Id;
                    if (!await Browser.CloseTabAsync(closing))
                    {
                        throw new ToolException($"There is no tab '{tabId}'. {(await ListTabsAsync()).Text}", fromPage: true);
                    }

                    break;
                default:
                    throw new ToolException($"Unknown tabs action '{action}'; use list, open, switch or close.");
            }

            var tabs = await ListTabsAsync();
            return new ToolResult($"Tabs {action}: {Browser.Tabs.Count} open", tabs.Text, tabs.Data, FromPage: true);
        }, cancellationToken);

    public Task<ToolOutcome> GoBackAsync(StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.GoBack, new { }, origin, async (_, ct) =>
        {
            var tab = Browser.ActiveTab;
            if (!await tab.GoBackAsync().WaitAsync(ct))
            {
                throw new ToolException("There is no earlier page in this tab's history.");
            }

            await SettleAsync(ct);
            return ToolResult.Done($"Went back to {tab.Page.Url}");
        }, cancellationToken);

    public Task<ToolOutcome> GoForwardAsync(StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.GoForward, new { }, origin, async (_, ct) =>
        {
            var tab = Browser.ActiveTab;
            if (!await tab.GoForwardAsync().WaitAsync(ct))
            {
                throw new ToolException("There is no later page in this tab's history.");
            }

            await SettleAsync(ct);
            return ToolResult.Done($"Went forward to {tab.Page.Url}");
        }, cancellationToken);

    /// <summary>
    /// The frame every tool runs in: the step is announced, the body runs (interrupted if the user takes control),
    /// failures become errors, and the step finishes with its summary and an image of the tab.
    /// </summary>
    private async Task<ToolOutcome> StepAsync(
        string tool, object arguments, StepOrigin origin, Func<AgentStepDto, CancellationToken, Task<ToolResult>> body, CancellationToken cancellationToken)
    {
        var step = _agent.Steps.Start(tool, JsonSerializer.Serialize(arguments, ArgumentsJson), origin);
        using var activity = BrowserServiceActivities.ToolStep(Browser.Id, tool, origin.Run is null ? "api" : "agent");
        using var interrupt = origin.Run is { } run
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, run.StepInterruptToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Browser.Touch();
        try
        {
            var result = await body(step, interrupt.Token);
            await CaptureThumbnailAsync(step, cancellationToken);
            _agent.Steps.Finish(step, "ok", result.Summary, null);
            activity.Finish("ok");
            return new ToolOutcome(result, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _agent.Steps.Finish(step, "cancelled", null, "The run was cancelled.");
            activity.Finish("cancelled");
            throw;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            const string interrupted = "The user took control and interrupted this step. When control comes back, take a new snapshot before going on.";
            _agent.Steps.Finish(step, "interrupted", null, interrupted);
            activity.Finish("interrupted");
            return new ToolOutcome(null, interrupted);
        }
        catch (ToolException ex)
        {
            await CaptureThumbnailAsync(step, cancellationToken);
            _agent.Steps.Finish(step, ex.Status, null, ex.Message);
            activity.Finish(ex.Status, ex.Message);
            return new ToolOutcome(null, ex.Message, ex.FromPage);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException)
        {
            var message = Explain(ex);
            LogToolFailed(Browser.Id, tool, message);
            await CaptureThumbnailAsync(step, cancellationToken);
            _agent.Steps.Finish(step, ToolException.ErrorStatus, null, message);
            activity.Finish(ToolException.ErrorStatus, message);
            return new ToolOutcome(null, message, ErrorFromPage: true);
        }
    }

    /// <summary>Asks the user when the policy says this step needs it; throws when it is denied or times out.</summary>
    private async Task ApproveAsync(AgentStepDto step, IReadOnlyCollection<string> detected, Target? target, CancellationToken cancellationToken)
    {
        if (_policy.Requires(step.Tool, detected) is not { } kind)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var timeout = TimeSpan.FromSeconds(_options.ApprovalTimeoutSeconds);
        var request = new ApprovalDto(
            Ids.New(10), step.RunId, step.Id, step.Source, step.Tool, step.Arguments, kind,
            $"{step.Tool} {ApprovalPolicy.Describe(kind, step.Tool)}", target is null ? null : await BoxAsync(target),
            ApprovalGate.Pending, now, now + timeout);
        var run = step.RunId is null ? null : _agent.CurrentRun;
        _agent.Steps.Update(step, RunStates.WaitingForApproval);
        _agent.SetRunState(run, RunStates.WaitingForApproval);
        string outcome;
        try
        {
            outcome = await _agent.Approvals.RequestAsync(request, timeout, cancellationToken);
        }
        finally
        {
            _agent.SetRunState(run, RunStates.Running);
        }

        _agent.Steps.Update(step, "running");
        switch (outcome)
        {
            case ApprovalGate.Approved:
                return;
            case ApprovalGate.Expired:
                throw new ToolException("approval timed out", ToolException.DeniedStatus);
            default:
                throw new ToolException("denied", ToolException.DeniedStatus);
        }
    }

    private async Task<ElementBoxDto?> BoxAsync(Target target)
    {
        try
        {
            var box = await target.Locator.BoundingBoxAsync(new() { Timeout = 2_000 });
            return box is null ? null : new ElementBoxDto(Browser.ActiveTab.Id, target.Ref, target.Name, box.X, box.Y, box.Width, box.Height);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>An element by ref (from the latest snapshot) or by description (resolved against a fresh snapshot).</summary>
    private async Task<Target> ResolveAsync(string? reference, string? description, IReadOnlySet<string>? roles, CancellationToken cancellationToken)
    {
        var page = Browser.ActiveTab.Page;
        if (!string.IsNullOrWhiteSpace(reference))
        {
            var normalized = reference.Trim().TrimStart('[').TrimEnd(']');
            normalized = normalized.StartsWith("ref=", StringComparison.OrdinalIgnoreCase) ? normalized[4..] : normalized;
            if (!PageSnapshot.IsRef(normalized))
            {
                throw new ToolException($"'{reference}' is not a ref; refs look like e12 (from a snapshot).");
            }

            var locator = PageSnapshot.Locate(page, normalized);
            if (await locator.CountAsync().WaitAsync(cancellationToken) == 0)
            {
                throw new ToolException($"No element has ref {normalized} on the current page: refs change when the page changes. Take a new snapshot.");
            }

            return new Target(locator, normalized, $"[ref={normalized}]");
        }

        if (string.IsNullOrWhiteSpace(description))
        {
            throw new ToolException("Give a ref (from a snapshot) or a description of the element.");
        }

        var snapshot = await PageSnapshot.TakeAsync(page, Timeout, cancellationToken);
        var resolution = ElementResolver.Resolve(snapshot.Nodes, description, roles);
        if (resolution.Node is not { } node)
        {
            throw new ToolException(resolution.Error!, fromPage: true);
        }

        return new Target(PageSnapshot.Locate(page, node.Ref!), node.Ref, node.Describe());
    }

    private async Task<Uri> CheckUrlAsync(string url, AgentStepDto step, CancellationToken cancellationToken)
    {
        var check = await _guard.CheckAsync(url, cancellationToken);
        if (!check.Allowed)
        {
            await UrlGuard.ShowRefusalAsync(Browser.ActiveTab, check);
            throw new ToolException($"The URL policy refuses {url}: {check.Reason}");
        }

        await ApproveAsync(step, UrlSensitivities(check.Url!), null, cancellationToken);
        return check.Url!;
    }

    private List<string> UrlSensitivities(Uri url)
    {
        var detected = new List<string>();
        if (_policy.LeavesAllowedOrigins(url))
        {
            detected.Add(Sensitivity.LeaveOrigins);
        }

        if (DownloadExtensions.Contains(Path.GetExtension(url.AbsolutePath)))
        {
            detected.Add(Sensitivity.Download);
        }

        return detected;
    }

    /// <summary>After an action that may navigate: wait (bounded) for the page to finish loading.</summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Browser.ActiveTab.Page.WaitForLoadStateAsync(LoadState.Load, new() { Timeout = Timeout }).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // Still loading, or closed: the next step will see.
        }
    }

    private async Task CaptureThumbnailAsync(AgentStepDto step, CancellationToken cancellationToken)
    {
        if (_agent.Steps.HasImage(step.Id) || Browser.IsClosed)
        {
            return;
        }

        try
        {
            var tab = Browser.ActiveTab;
            var viewport = Browser.Viewport;
            var metrics = await tab.Cdp.SendAsync("Page.getLayoutMetrics").WaitAsync(cancellationToken);
            var visual = metrics!.Value.GetProperty("cssVisualViewport");
            var shot = await tab.Cdp.SendAsync("Page.captureScreenshot", new()
            {
                ["format"] = "jpeg",
                ["quality"] = 60,
                ["clip"] = new Dictionary<string, object>
                {
                    ["x"] = visual.GetProperty("pageX").GetDouble(),
                    ["y"] = visual.GetProperty("pageY").GetDouble(),
                    ["width"] = viewport.Width,
                    ["height"] = viewport.Height,
                    ["scale"] = 320.0 / viewport.Width,
                },
            }).WaitAsync(cancellationToken);
            _agent.Steps.SetImage(step.Id, Convert.FromBase64String(shot!.Value.GetProperty("data").GetString()!));
        }
        catch (Exception ex) when (ex is PlaywrightException or InvalidOperationException or KeyNotFoundException or TimeoutException)
        {
            // A closing or crashed tab: the step has no image.
        }
    }

    /// <summary>The tabs with their ids; titles and URLs read from the pages (the toolbar's copies may lag a load).</summary>
    private async Task<(string Text, JsonNode Data)> ListTabsAsync()
    {
        var active = Browser.ActiveTab.Id;
        var tabs = new List<(string Id, string Url, string Title)>();
        foreach (var tab in Browser.Tabs)
        {
            tabs.Add((tab.Id, tab.Page.Url, await TitleAsync(tab.Page)));
        }

        var text = "Tabs: " + string.Join("; ", tabs.Select(t => $"{t.Id}{(t.Id == active ? " (active)" : "")} \"{t.Title}\" {t.Url}"));
        var data = new JsonArray(tabs.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["url"] = t.Url,
            ["title"] = t.Title,
            ["active"] = t.Id == active,
        }).ToArray());
        return (text, data);
    }

    private static LoadState ParseWaitUntil(string? waitUntil) => (waitUntil ?? "load").Trim().ToLowerInvariant() switch
    {
        "load" => LoadState.Load,
        "domcontentloaded" => LoadState.DOMContentLoaded,
        "networkidle" => LoadState.NetworkIdle,
        _ => throw new ToolException($"Unknown wait_until '{waitUntil}'; use load, domcontentloaded or networkidle."),
    };

    private static async Task<string> TitleAsync(IPage page)
    {
        try
        {
            return await page.TitleAsync();
        }
        catch (PlaywrightException)
        {
            return "";
        }
    }

    /// <summary>A bare function body with <c>return</c> runs as an async function; expressions and functions run as given.</summary>
    private static string AsEvaluable(string script)
    {
        var trimmed = script.Trim();
        var isFunction = trimmed.StartsWith('(') || trimmed.StartsWith("function", StringComparison.Ordinal) || trimmed.StartsWith("async", StringComparison.Ordinal);
        return !isFunction && ReturnStatement().IsMatch(trimmed) ? $"async () => {{\n{trimmed}\n}}" : trimmed;
    }

    private static bool IsTrue(string value) =>
        value.Trim().ToLowerInvariant() is "true" or "yes" or "on" or "1" or "checked" or "x" or "✓";

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    internal static string Shorten(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    private static string Explain(Exception exception)
    {
        var first = SessionsApi.FirstLine(exception.Message);
        return exception is TimeoutException || first.Contains("Timeout", StringComparison.Ordinal)
            ? $"Timed out: {first}. The element may be hidden, disabled or covered; take a new snapshot."
            : first;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(^|[;{}\n])\s*return\b")]
    private static partial System.Text.RegularExpressions.Regex ReturnStatement();

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: snapshot of {Lines} lines, {FullChars} characters, {Chars} sent to the model")]
    private partial void LogSnapshot(string sessionId, int lines, int fullChars, int chars);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: tool {Tool} failed: {Reason}")]
    private partial void LogToolFailed(string sessionId, string tool, string reason);

    /// <summary>An element to act on, and how it reads in messages.</summary>
    private sealed record Target(ILocator Locator, string? Ref, string Name);
}
