using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>How an argument is edited.</summary>
public enum FieldKind
{
    Text,
    Multiline,
    Number,
    Flag,
    Choice,
    List,
}

/// <summary>One argument of an action's form: its JSON key, label, kind, a hint, and the choices of a Choice.</summary>
public sealed record StepField(string Key, string Label, FieldKind Kind = FieldKind.Text, string? Hint = null, IReadOnlyList<string>? Choices = null);

/// <summary>
/// The form of each action a step may name: the tools' own argument names (see the service's ActionCatalog).
/// fill_form's fields and extract_data's schema have editors of their own (StepEditor).
/// </summary>
public static class StepForms
{
    private const string ElementHint = "Describe the element as a person would (\"search button\"); it is found in the page's snapshot.";

    private static readonly StepField Description = new("description", "Element", Hint: ElementHint);
    private static readonly StepField Ref = new("ref", "Element ref", Hint: "A snapshot ref (e.g. e12); prefer a description, which survives page changes.");

    /// <summary>Every action, in the order the "add step" menu lists them.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        WorkflowActions.Navigate, WorkflowActions.FillForm, WorkflowActions.Click, WorkflowActions.Type, WorkflowActions.Select,
        WorkflowActions.Press, WorkflowActions.Hover, WorkflowActions.Scroll, WorkflowActions.WaitFor, WorkflowActions.ExtractData,
        WorkflowActions.GetContent, WorkflowActions.Screenshot, WorkflowActions.Tabs, WorkflowActions.GoBack, WorkflowActions.GoForward,
        WorkflowActions.ExecuteScript, WorkflowActions.AskUser, WorkflowActions.Agent, WorkflowActions.CompareResults,
    ];

    public static IReadOnlyList<StepField> Fields(string action) => action switch
    {
        WorkflowActions.Navigate => [new("url", "URL", Hint: "May hold {{param}} placeholders.")],
        WorkflowActions.Click => [Description, Ref, new("text", "Visible text")],
        WorkflowActions.Type => [Description, Ref, new("text", "Text", Hint: "{{param}} and {{secret:NAME}} work here."), new("submit", "Press Enter after typing", FieldKind.Flag)],
        WorkflowActions.Select => [Description, Ref, new("value", "Option")],
        WorkflowActions.Hover => [Description, Ref],
        WorkflowActions.Press => [new("key", "Key", Hint: "Enter, Tab, Escape, ArrowDown, Control+A…"), Ref],
        WorkflowActions.Scroll => [new("direction", "Direction", FieldKind.Choice, Choices: ["down", "up", "top", "bottom"]), Ref],
        WorkflowActions.WaitFor => [new("text", "Text appears"), new("url", "URL matches"), new("ms", "Or wait (ms)", FieldKind.Number)],
        WorkflowActions.GetContent => [new("format", "Format", FieldKind.Choice, Choices: ["text", "markdown", "html"])],
        WorkflowActions.Screenshot => [new("full_page", "Whole page", FieldKind.Flag), new("element_description", "Only this element")],
        WorkflowActions.Tabs => [new("tab_action", "Tab action", FieldKind.Choice, Choices: ["list", "open", "switch", "close"]), new("url", "URL"), new("tab_id", "Tab id")],
        WorkflowActions.ExecuteScript => [new("script", "Script", FieldKind.Multiline, "Runs in the page after your approval; its value is the output.")],
        WorkflowActions.AskUser => [new("question", "Question", FieldKind.Multiline, "The run waits until the person answers in the chat.")],
        WorkflowActions.Agent => [new("instruction", "Instruction", FieldKind.Multiline, "The model carries this out with the browser tools.")],
        WorkflowActions.CompareResults =>
        [
            new("of", "Compare steps", FieldKind.List, "Names of earlier extract_data steps, comma-separated."),
            new("match_by", "Match records by", Hint: "A field (e.g. name); by position when empty."),
            new("prefer", "Best value", FieldKind.Choice, Choices: ["min", "max"]),
        ],
        _ => [],
    };

    /// <summary>A line saying what the step does, for the collapsed card.</summary>
    public static string Brief(StepDraft step) => step.Action switch
    {
        WorkflowActions.Navigate => step.Get("url"),
        WorkflowActions.FillForm => string.Join(", ", step.Fields.Where(f => f.Label.Length > 0).Select(f => $"{f.Label} = {f.Value}")),
        WorkflowActions.ExtractData => "schema",
        WorkflowActions.CompareResults => step.Get("of"),
        WorkflowActions.Press => step.Get("key"),
        WorkflowActions.Agent => step.Get("instruction"),
        WorkflowActions.AskUser => step.Get("question"),
        WorkflowActions.ExecuteScript => step.Get("script"),
        _ => FirstOf(step, "description", "text", "ref", "url", "value", "direction"),
    };

    private static string FirstOf(StepDraft step, params string[] keys) =>
        keys.Select(step.Get).FirstOrDefault(v => v.Length > 0) ?? "";
}
