using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Tools;

// Secrets go only where they belong, as a password manager's do: into a field on one of the secret's sites, and into
// anything but a password field only after the user approves.
public sealed partial class BrowserTools
{
    /// <summary>
    /// Checks every field a text naming a secret is about to be typed into, before anything is typed. The site is the
    /// field's frame's address as Playwright knows it from the browser (a page can rename <c>window.origin</c> for its
    /// own scripts); whether it is a password field is read in Playwright's own script world, out of the page's reach.
    /// </summary>
    private async Task GuardSecretsAsync(AgentStepDto step, IEnumerable<(Target Target, string Text)> uses, CancellationToken cancellationToken)
    {
        Target? plain = null;
        foreach (var (target, text) in uses.Where(use => _agent.Vault.HasPlaceholder(use.Text)))
        {
            var (origin, password) = await BoundedAsync(ProbeFieldAsync(target.Locator), cancellationToken);
            if (_agent.Vault.RefusalFor(text, origin) is { } refusal)
            {
                throw new ToolException(refusal);
            }

            if (!password)
            {
                plain ??= target;
            }
        }

        if (plain is not null)
        {
            await ApproveAsync(step, [Sensitivity.SecretField], plain, cancellationToken);
        }
    }

    private async Task<(string Origin, bool Password)> ProbeFieldAsync(ILocator field)
    {
        var handle = await field.ElementHandleAsync(new() { Timeout = Timeout });
        try
        {
            var frame = await handle.OwnerFrameAsync();
            var origin = frame is not null && Uri.TryCreate(frame.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? url.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
                : "an address without a site (" + (frame?.Url ?? "a closed frame") + ")";
            var type = await handle.GetAttributeAsync("type");
            return (origin, string.Equals(type?.Trim(), "password", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            await handle.DisposeAsync();
        }
    }
}
