namespace OperaStudio.BrowserService.Contracts;

/// <summary>Request headers the web app sends the service.</summary>
public static class ApiHeaders
{
    /// <summary>Who acts: the web app marks its user's actions <see cref="HumanActor"/>; without it a call is the API's.</summary>
    public const string Actor = "X-Opera-Actor";
    public const string HumanActor = "human";
}
