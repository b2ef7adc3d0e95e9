using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Tools;

// Where a step would take the tab: the URL policy, and what makes a URL sensitive (leaving the allowed sites, a download).
public sealed partial class BrowserTools
{
    private static readonly HashSet<string> DownloadExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".exe", ".msi", ".dmg", ".pkg", ".deb", ".rpm", ".apk", ".iso",
        ".bin", ".pdf", ".csv", ".xls", ".xlsx", ".doc", ".docx", ".ppt", ".pptx",
    };

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
}
