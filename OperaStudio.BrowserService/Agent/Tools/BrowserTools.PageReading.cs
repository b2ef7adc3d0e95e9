using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Agent.Tools;

// Tools that read the page: snapshot, get_content, extract_data, screenshot.
public sealed partial class BrowserTools
{
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
            return new ToolResult(summary, header + trimmed.Text, JsonValue.Create(header + snapshot.FullText), Source: snapshot.Url);
        }, cancellationToken);

    public Task<ToolOutcome> GetContentAsync(string? format, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.GetContent, new { format }, origin, async (_, ct) =>
        {
            var page = Browser.ActiveTab.Page;
            var kind = (format ?? "text").Trim().ToLowerInvariant();
            var content = kind switch
            {
                "text" => await BoundedAsync(page.EvaluateAsync<string>(PageScripts.Text), ct),
                "html" => await BoundedAsync(page.ContentAsync(), ct),
                "markdown" => await BoundedAsync(page.EvaluateAsync<string>(PageScripts.Markdown), ct),
                _ => throw new ToolException($"Unknown format '{format}'; use text, html or markdown."),
            };
            var forModel = content.Length <= _options.MaxContentChars
                ? content
                : content[.._options.MaxContentChars] + $"\n… (cut: {content.Length} characters in all; scroll or extract_data for the rest)";
            return new ToolResult($"Read the page as {kind} ({content.Length} characters)", forModel, JsonValue.Create(content), Source: page.Url);
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
            // Playwright cannot pass a JsonElement into the page; the script parses the text. Its value comes back as
            // JSON text made in the page (Playwright's own conversion adds $id keys to objects).
            var raw = await BoundedAsync(page.EvaluateAsync<string?>($"async s => JSON.stringify(await ({PageScripts.Extract})(s)) ?? null", schemaText), ct);
            var data = DataCoercion.Coerce(raw is null ? null : JsonNode.Parse(raw), schemaJson);
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
            return new ToolResult($"Extracted {count} that validate against the schema", Shorten(json, _options.MaxContentChars), data, Source: page.Url);
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
                // Brought into view by the page's own scrolling, then cut out of a capture of the view.
                await BoundedAsync(target.Locator.EvaluateAsync("e => e.scrollIntoView({ block: 'center', inline: 'center' })", null, new() { Timeout = Timeout }), ct);
                var box = await BoundedAsync(target.Locator.BoundingBoxAsync(new() { Timeout = Timeout }), ct)
                    ?? throw new ToolException($"'{target.Name}' is not displayed (it has no box on the page); take a new snapshot.");
                jpeg = await BoundedAsync(tab.CaptureAreaAsync(box, quality: 80), ct)
                    ?? throw new ToolException($"'{target.Name}' could not be brought into view; take a new snapshot.");
                what = target.Name;
            }
            else
            {
                jpeg = await BoundedAsync(tab.ScreenshotAsync(fullPage), ct);
                what = fullPage ? "the whole page" : "the visible page";
            }

            _agent.Steps.SetImage(step.Id, jpeg);
            var (width, height) = TabScreencast.JpegSize(jpeg);
            return new ToolResult(
                $"Screenshot of {what} ({width}×{height})",
                $"Took a {width}×{height} screenshot of {what}; the user sees it in the chat. Images do not reach you: take a snapshot to read the page.",
                new JsonObject { ["image"] = Convert.ToBase64String(jpeg), ["contentType"] = "image/jpeg", ["width"] = width, ["height"] = height });
        }, cancellationToken);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: snapshot of {Lines} lines, {FullChars} characters, {Chars} sent to the model")]
    private partial void LogSnapshot(string sessionId, int lines, int fullChars, int chars);
}
