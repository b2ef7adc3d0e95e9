namespace OperaStudio.BrowserService.Browsers;

/// <summary>Chromium switches a feature needs at launch (the URL policy's proxy, for one).</summary>
public interface IBrowserLaunchArguments
{
    IEnumerable<string> Arguments { get; }
}
