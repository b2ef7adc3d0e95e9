using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// A tool could not do what was asked, for a reason the caller can act on (no such element, ambiguous description,
/// refused URL, denied approval). The model gets the message as the tool's result; the actions API as its error.
/// <paramref name="fromPage"/> marks messages quoting page text (element names), which reach the model inside the
/// boundary markers.
/// </summary>
public sealed class ToolException(string message, string status = ToolException.ErrorStatus, bool fromPage = false) : Exception(message)
{
    public const string ErrorStatus = StepStatuses.Error;
    public const string DeniedStatus = StepStatuses.Denied;

    /// <summary>The step status this failure shows as: <c>error</c> or <c>denied</c>.</summary>
    public string Status { get; } = status;

    public bool FromPage { get; } = fromPage;
}
