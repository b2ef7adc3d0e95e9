using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Components.Chat;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>A step's icon: the agent's tool icons, plus the two actions only workflows have.</summary>
internal static class WorkflowIcons
{
    public static string Of(string action) => action switch
    {
        WorkflowActions.CompareResults => Icons.Material.Outlined.CompareArrows,
        WorkflowActions.Agent => Icons.Material.Outlined.AutoAwesome,
        _ => StepDisplay.ToolIcon(action),
    };
}
