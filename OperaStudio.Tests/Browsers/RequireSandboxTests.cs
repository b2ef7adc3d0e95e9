using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Browsers.Sandbox;

namespace OperaStudio.Tests.Browsers;

/// <summary>
/// <c>Browsers:RequireSandbox</c>: where no one would see the start-up warning (a cluster), the service refuses to
/// run Chromium without its sandbox rather than fall back to --no-sandbox.
/// </summary>
public sealed class RequireSandboxTests
{
    [Fact]
    public async Task Prepare_NoSandboxPossible_RequireSandbox_RefusesAndSaysWhy()
    {
        using var sandbox = new ChromiumSandbox(Options.Create(new BrowserOptions { Sandbox = false, RequireSandbox = true }), NullLogger<ChromiumSandbox>.Instance);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => sandbox.PrepareAsync(ChromiumLocator.FindOrThrow(), TestContext.Current.CancellationToken));

        Assert.Contains("Browsers:Sandbox is false", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Browsers:RequireSandbox", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_NoSandboxPossible_WithoutRequireSandbox_FallsBackAsBefore()
    {
        using var sandbox = new ChromiumSandbox(Options.Create(new BrowserOptions { Sandbox = false }), NullLogger<ChromiumSandbox>.Instance);

        var launch = await sandbox.PrepareAsync(ChromiumLocator.FindOrThrow(), TestContext.Current.CancellationToken);

        Assert.False(launch.SandboxOn);
    }

    [Fact]
    public void Validate_NoSandboxSwitch_WithRequireSandbox_IsRejected()
    {
        var options = new BrowserOptions { RequireSandbox = true, ExtraArguments = ["--lang=de", "--no-sandbox"] };

        var errors = options.Validate(new ValidationContext(options)).ToList();

        var error = Assert.Single(errors);
        Assert.Contains("--no-sandbox", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Browsers:RequireSandbox", error.ErrorMessage, StringComparison.Ordinal);
    }
}
