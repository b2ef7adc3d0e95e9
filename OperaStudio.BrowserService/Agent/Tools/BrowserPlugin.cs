using System.ComponentModel;
using Microsoft.SemanticKernel;
using OperaStudio.BrowserService.Agent.Runs;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// The browser tools as the model sees them (Semantic Kernel names them <c>browser-navigate</c>, <c>browser-click</c>,
/// …). Each function only maps its parameters onto <see cref="BrowserTools"/> and the outcome onto text for the
/// model; policy, approvals and the step log live there, shared with the actions API. Parameter names are the
/// model-facing snake_case names of the actions API (Semantic Kernel takes them from the C# names).
/// </summary>
internal sealed class BrowserPlugin(AgentSession agent)
{
    public const string Name = "browser";

    private const string TimeoutDescription = "How long this call may wait, in milliseconds, when the default is too long or too short.";

    /// <summary>The model's timeout_ms, kept within what a call may ask for (a model's slip should not fail the step).</summary>
    private static int? Clamped(int? milliseconds) =>
        milliseconds is { } ms ? Math.Clamp(ms, 100, BrowserTools.MaxTimeoutMilliseconds) : null;

    private StepOrigin Origin => StepOrigin.ForRun(agent.ActiveRun ?? throw new InvalidOperationException("No run is active."));

    [KernelFunction(ToolNames.Navigate)]
    [Description("Opens a URL in the active tab and waits for it to load. Returns the final URL and title.")]
    public async Task<string> NavigateAsync(
        [Description("The address to open, e.g. https://example.com/login.")] string url,
        [Description("When the page counts as loaded: load (default), domcontentloaded or networkidle.")] string wait_until = "load",
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.NavigateAsync(url, wait_until, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Snapshot)]
    [Description("Reads the active tab as an accessibility tree. Elements you can act on carry refs like [ref=e12]; use them with click, type, select, hover, press, scroll and wait_for. Take a new snapshot after the page changes.")]
    public async Task<string> SnapshotAsync([Description(TimeoutDescription)] int? timeout_ms = null, CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.SnapshotAsync(Origin, cancellationToken)));

    [KernelFunction(ToolNames.Click)]
    [Description("Clicks an element, given by exactly one of: ref from the latest snapshot; a short description (its label or text and role, e.g. \"Log in button\"); its visible text; or x and y, a point of the viewport in CSS pixels. When several elements match about as well, the answer lists them: choose one by ref.")]
    public async Task<string> ClickAsync(
        [Description("The element's ref from the latest snapshot, e.g. e12.")] string? @ref = null,
        [Description("Instead of a ref: the element's visible label or text, optionally with its role, e.g. \"Sign in button\".")] string? description = null,
        [Description("Instead of a ref: the exact (or else contained) visible text of the element to click.")] string? text = null,
        [Description("Instead of a ref: the horizontal position in the viewport, CSS pixels (with y).")] double? x = null,
        [Description("Instead of a ref: the vertical position in the viewport, CSS pixels (with x).")] double? y = null,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default)
    {
        ClickTarget where;
        try
        {
            where = ClickTarget.Of(@ref, description, text, x, y);
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }

        return AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.ClickAsync(where, Origin, cancellationToken)));
    }

    [KernelFunction(ToolNames.Type)]
    [Description("Replaces the text of an input by ref. Write {{secret:NAME}} for a stored secret; the browser puts the value in.")]
    public async Task<string> TypeAsync(
        [Description("The input's ref from the latest snapshot.")] string @ref,
        [Description("The text to type, or {{secret:NAME}}.")] string text,
        [Description("Press Enter afterwards to submit.")] bool submit = false,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.TypeAsync(@ref, text, submit, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Select)]
    [Description("Chooses an option in a drop-down (select) by ref.")]
    public async Task<string> SelectAsync(
        [Description("The drop-down's ref from the latest snapshot.")] string @ref,
        [Description("The option's visible label or value.")] string value,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.SelectAsync(@ref, value, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Hover)]
    [Description("Moves the mouse over an element by ref (opens hover menus and tooltips).")]
    public async Task<string> HoverAsync(
        [Description("The element's ref from the latest snapshot.")] string @ref,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.HoverAsync(@ref, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Press)]
    [Description("Presses a key or a combination (Enter, Escape, Tab, ArrowDown, Control+A) in an element by ref, or in whatever has focus.")]
    public async Task<string> PressAsync(
        [Description("The key, as Playwright names keys: Enter, Escape, Tab, ArrowDown, PageDown, Control+A, a.")] string key,
        [Description("The element's ref; empty presses in the focused element.")] string? @ref = null,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.PressAsync(key, @ref, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Scroll)]
    [Description("Scrolls the page (down, up, top, bottom, left, right) or brings an element into view by ref.")]
    public async Task<string> ScrollAsync(
        [Description("down (default), up, top, bottom, left or right.")] string? direction = null,
        [Description("Instead of a direction: the ref of an element to scroll into view.")] string? @ref = null,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.ScrollAsync(direction, @ref, Origin, cancellationToken)));

    [KernelFunction(ToolNames.WaitFor)]
    [Description("Waits for one thing: text to appear, the URL to contain something, an element (by ref) to be visible, or a number of milliseconds.")]
    public async Task<string> WaitForAsync(
        [Description("Text that should appear on the page.")] string? text = null,
        [Description("Part of the URL the tab should reach.")] string? url = null,
        [Description("The ref of an element that should become visible.")] string? @ref = null,
        [Description("Milliseconds to wait (at most 60000).")] int? ms = null,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.WaitForAsync(text, url, @ref, ms, Origin, cancellationToken)));

    [KernelFunction(ToolNames.FillForm)]
    [Description("Fills several form fields at once, each found by its label (or placeholder). Text fields get the text, drop-downs the option, checkboxes true/false. Does not submit. Use {{secret:NAME}} for stored secrets.")]
    public async Task<string> FillFormAsync(
        [Description("Field label → value, e.g. {\"Email\": \"ann@example.com\", \"Password\": \"{{secret:site_password}}\"}.")] Dictionary<string, string> fields,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.FillFormAsync(fields, Origin, cancellationToken)));

    [KernelFunction(ToolNames.ExtractData)]
    [Description("Reads structured data from the page into a JSON Schema and validates it: tables whose column headers match the properties, labelled values, lists under a matching heading. Returns the JSON, or why it does not validate.")]
    public async Task<string> ExtractDataAsync(
        [Description("A JSON Schema, as JSON text, whose property names match the page's labels or column headers, e.g. {\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"price\":{\"type\":\"number\"}},\"required\":[\"name\",\"price\"]}}.")] string schema,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.ExtractDataAsync(schema, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Screenshot)]
    [Description("Takes a screenshot for the user (shown in the chat): the visible page, the whole page, or one element. You do not see images; use snapshot to read the page.")]
    public async Task<string> ScreenshotAsync(
        [Description("Capture the whole scrollable page instead of the visible part.")] bool full_page = false,
        [Description("Capture only this element, described by its label or text.")] string? element_description = null,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.ScreenshotAsync(full_page, element_description, Origin, cancellationToken)));

    [KernelFunction(ToolNames.ExecuteScript)]
    [Description("Runs JavaScript in the page and returns its value as JSON. Needs the user's approval; use only when no other tool can do it.")]
    public async Task<string> ExecuteScriptAsync(
        [Description("An expression, a function, or a function body with return, e.g. document.querySelectorAll('li').length.")] string script,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.ExecuteScriptAsync(script, Origin, cancellationToken)));

    [KernelFunction(ToolNames.GetContent)]
    [Description("Reads the active tab's content as text, html or markdown (long pages are cut).")]
    public async Task<string> GetContentAsync(
        [Description("text (default), html or markdown.")] string format = "text",
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.GetContentAsync(format, Origin, cancellationToken)));

    [KernelFunction(ToolNames.Tabs)]
    [Description("Works with tabs: list them, open one (optionally at a URL; it becomes active), switch to one, or close one. Returns the tabs with their ids.")]
    public async Task<string> TabsAsync(
        [Description("list, open, switch or close.")] string action,
        [Description("The tab's id (for switch and close; close without it closes the active tab).")] string? tab_id = null,
        [Description("The URL to open (for open).")] string? url = null,
        [Description(TimeoutDescription)] int? timeout_ms = null,
        CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.TabsAsync(action, tab_id, url, Origin, cancellationToken)));

    [KernelFunction(ToolNames.GoBack)]
    [Description("Goes back one page in the active tab's history.")]
    public async Task<string> GoBackAsync([Description(TimeoutDescription)] int? timeout_ms = null, CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.GoBackAsync(Origin, cancellationToken)));

    [KernelFunction(ToolNames.GoForward)]
    [Description("Goes forward one page in the active tab's history.")]
    public async Task<string> GoForwardAsync([Description(TimeoutDescription)] int? timeout_ms = null, CancellationToken cancellationToken = default) =>
        AgentRunner.ForModel(agent, await BrowserTools.WithTimeout(Clamped(timeout_ms), () => agent.Tools.GoForwardAsync(Origin, cancellationToken)));

    [KernelFunction(ToolNames.AskUser)]
    [Description("Hands control to the user for something only they can do (log in, a 2FA code, a captcha, a choice) and waits until they say done. Returns what they said.")]
    public Task<string> AskUserAsync(
        [Description("What the user should do, in one or two sentences.")] string question,
        CancellationToken cancellationToken = default) =>
        AgentRunner.AskUserAsync(agent, question, cancellationToken);
}
