namespace OperaStudio.BrowserService.Cdp;

/// <summary>How the relay treats CDP methods a client sends.</summary>
internal static class CdpMethods
{
    /// <summary>
    /// What acts on the page (paused while a person has control). Everything else a client sends on attach — enable and
    /// disable, runIfWaitingForDebugger, addScriptToEvaluateOnNewDocument, getFrameTree, setLifecycleEventsEnabled — passes,
    /// so its connection survives a pause.
    /// </summary>
    private static readonly HashSet<string> Acting = new(StringComparer.Ordinal)
    {
        "Page.navigate", "Page.reload", "Page.navigateToHistoryEntry", "Page.close", "Page.handleJavaScriptDialog", "Page.setDocumentContent",
        "Runtime.evaluate", "Runtime.callFunctionOn", "Runtime.runScript",
        "DOM.setFileInputFiles", "DOM.setAttributeValue", "DOM.setAttributesAsText", "DOM.setNodeValue", "DOM.setOuterHTML", "DOM.removeNode",
        "DOM.focus", "DOM.scrollIntoViewIfNeeded",
        "Target.createTarget", "Target.closeTarget", "Target.activateTarget",
    };

    public static bool IsActing(string method) => method.StartsWith("Input.", StringComparison.Ordinal) || Acting.Contains(method);

    /// <summary>Browser-level methods whose <c>browserContextId</c> is forced to the session's (one for another context is refused).</summary>
    public static readonly HashSet<string> ContextScoped = new(StringComparer.Ordinal)
    {
        "Browser.grantPermissions", "Browser.resetPermissions", "Browser.setPermission",
        "Storage.getCookies", "Storage.setCookies", "Storage.clearCookies",
    };

    /// <summary>Browser-level methods about one target, given as <c>targetId</c>: only the session's targets.</summary>
    public static readonly HashSet<string> TargetScoped = new(StringComparer.Ordinal)
    {
        "Target.attachToTarget", "Target.closeTarget", "Target.activateTarget", "Target.getTargetInfo", "Browser.getWindowForTarget",
    };
}
