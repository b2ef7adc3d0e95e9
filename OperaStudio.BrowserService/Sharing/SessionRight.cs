namespace OperaStudio.BrowserService.Sharing;

/// <summary>What a caller may do with a session, weakest first: comparisons such as <c>right &gt;= Owner</c> read as "at least".</summary>
public enum SessionRight
{
    /// <summary>Not shared with them: the session is answered as one that does not exist.</summary>
    None,

    /// <summary>Watches and points; never acts on the page.</summary>
    Viewer,

    /// <summary>May hold control (one person at a time) and act while holding it.</summary>
    Controller,

    /// <summary>Shares, revokes, grants control, and acts on the page through the API at any time.</summary>
    Owner,

    /// <summary>The administrator: everything the owner may.</summary>
    Admin,
}

public static class SessionRights
{
    /// <summary>Set by the session access filter, for the filters and endpoints after it.</summary>
    public const string ItemKey = "opera:session-right";

    public static SessionRight FromRole(string? role) => role switch
    {
        Contracts.ShareRoles.Controller => SessionRight.Controller,
        Contracts.ShareRoles.Viewer => SessionRight.Viewer,
        _ => SessionRight.None,
    };

    public static string Name(SessionRight right) => right.ToString().ToLowerInvariant();
}
