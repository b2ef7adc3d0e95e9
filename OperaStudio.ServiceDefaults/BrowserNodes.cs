namespace OperaStudio.ServiceDefaults;

/// <summary>
/// The browser-service nodes' resource names: the first is <c>browser</c> (as with one node), then <c>browser-2</c>,
/// <c>browser-3</c>, … With more than one node each one's node id is its resource name, so AppHost, web app and tests
/// agree on them.
/// </summary>
public static class BrowserNodes
{
    public static string ResourceName(int ordinal) =>
        ordinal <= 1 ? ResourceNames.BrowserService : $"{ResourceNames.BrowserService}-{ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
