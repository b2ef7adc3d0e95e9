using Microsoft.Playwright;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// Saves what a UI test sees when <c>OPERA_SCREENSHOTS</c> names a folder, so a person can look at the UI in the states
/// the tests reach (that is how docs/images are made). Does nothing otherwise.
/// </summary>
public static class Screenshots
{
    public static string? Folder => Environment.GetEnvironmentVariable("OPERA_SCREENSHOTS") is { Length: > 0 } folder ? folder : null;

    public static async Task SaveAsync(IPage page, string name)
    {
        if (Folder is not { } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png") });
    }
}
