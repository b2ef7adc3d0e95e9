namespace OperaStudio.BrowserService.Contracts;

/// <summary>
/// The longest text the API takes in each field; longer answers 400 naming the field and its limit. A URL's bound is
/// the <c>varchar(8192)</c> its tab and history columns hold.
/// </summary>
public static class InputLimits
{
    public const int Url = 8192;

    public const int ChatMessage = 8000;

    public const int ResumeText = 8000;

    public const int DialogAnswer = 8192;

    public const int ToolName = 64;

    /// <summary>The actions API's <c>args</c>, as JSON text (a paste is 100000 characters at most too).</summary>
    public const int ActionArguments = 100_000;

    public const int SecretValue = 4096;

    /// <summary>The sites one secret may be used on.</summary>
    public const int SecretOrigins = 20;
}
