namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>The tools' names, as the actions API takes them and as the model sees them (after the plugin prefix).</summary>
public static class ToolNames
{
    public const string Navigate = "navigate";
    public const string Snapshot = "snapshot";
    public const string Click = "click";
    public const string Type = "type";
    public const string Select = "select";
    public const string Hover = "hover";
    public const string Press = "press";
    public const string Scroll = "scroll";
    public const string WaitFor = "wait_for";
    public const string FillForm = "fill_form";
    public const string ExtractData = "extract_data";
    public const string Screenshot = "screenshot";
    public const string ExecuteScript = "execute_script";
    public const string GetContent = "get_content";
    public const string Tabs = "tabs";
    public const string GoBack = "go_back";
    public const string GoForward = "go_forward";

    /// <summary>Model runs only: hands control to the user and waits until they say done.</summary>
    public const string AskUser = "ask_user";

    public static readonly IReadOnlyList<string> Browser =
    [
        Navigate, Snapshot, Click, Type, Select, Hover, Press, Scroll, WaitFor, FillForm, ExtractData, Screenshot,
        ExecuteScript, GetContent, Tabs, GoBack, GoForward,
    ];
}
