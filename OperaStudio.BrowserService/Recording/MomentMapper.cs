using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Turns what the history writer queues (pages arrived at, human and API actions — typing already a count, never
/// text) and the session's own events (tabs, viewport, dialogs, downloads, agent runs and steps, approvals, chat) into
/// a recording's moments. Agent steps come from the session's events, which carry their thumbnails; the history's copy
/// of them is skipped.
/// </summary>
internal static class MomentMapper
{
    public static RecordedMoment? From(HistoryItem item) => item switch
    {
        HistoryItem.Navigation { Record: var n } =>
            new RecordedMoment(n.At, MomentKinds.Navigation, MomentKinds.Page, n.TabId, n.Title.Length > 0 ? n.Title : n.Url, n.Url),
        // The agent's steps, the actions API's (logged as Api with no user) and MCP clients' come from the step events instead.
        HistoryItem.Action { Record: var a } when a.Actor is not (Actor.Agent or Actor.Mcp) && !(a.Actor == Actor.Api && a.User is null) => FromAction(a),
        _ => null,
    };

    private static RecordedMoment FromAction(ActionRecord a)
    {
        var actor = a.Actor == Actor.Human ? MomentKinds.Human : MomentKinds.Api;
        var (kind, title) = a.Kind switch
        {
            "click" => (MomentKinds.Click, "click"),
            "type" => (MomentKinds.Input, $"typed {a.Target}"),
            "scroll" => (MomentKinds.Input, $"scrolled {a.Target}"),
            "key" => (MomentKinds.Input, $"pressed {a.Target}"),
            "paste" => (MomentKinds.Input, $"pasted {a.Target}"),
            "open-tab" => (MomentKinds.Tab, "opened a tab"),
            "close-tab" => (MomentKinds.Tab, "closed a tab"),
            "switch-tab" => (MomentKinds.Tab, "switched tab"),
            "upload" => (MomentKinds.Upload, "upload"),
            "dialog" => (MomentKinds.Dialog, $"dialog {a.Outcome}"),
            "download" => (MomentKinds.Download, "download"),
            _ when a.Actor == Actor.Api => (MomentKinds.Step, a.Kind),
            _ => (MomentKinds.Input, a.Kind),
        };
        var detail = kind is MomentKinds.Input && a.Kind is "type" or "scroll" or "key" or "paste" ? null : a.Target;
        // An API call is a step someone could run again; the session API's kinds are the workflow's actions.
        var tool = kind == MomentKinds.Step ? a.Kind : null;
        return new RecordedMoment(a.At, kind, actor, a.TabId, title, detail, a.Outcome, a.User, tool);
    }

    public static RecordedMoment? From(SessionEvent e, DateTimeOffset now) => e switch
    {
        ViewportChanged v => new RecordedMoment(now, MomentKinds.Viewport, MomentKinds.Human, null, $"{v.Viewport.Width}×{v.Viewport.Height}"),
        DialogOpened d => new RecordedMoment(now, MomentKinds.Dialog, MomentKinds.Page, d.Dialog.TabId, $"{d.Dialog.Type} dialog", Clip(d.Dialog.Message, 500)),
        DialogClosed d => new RecordedMoment(now, MomentKinds.Dialog, MomentKinds.Page, d.TabId, "dialog closed"),
        FileChooserOpened f => new RecordedMoment(now, MomentKinds.Upload, MomentKinds.Page, f.TabId, f.Multiple ? "asked for files" : "asked for a file"),
        DownloadFinished d => new RecordedMoment(
            d.Download.CompletedAt, d.Download.Error is null ? MomentKinds.Download : MomentKinds.Error, MomentKinds.Page, d.Download.TabId,
            d.Download.Error is null ? $"downloaded {d.Download.FileName}" : $"download failed: {d.Download.FileName}",
            d.Download.Error ?? d.Download.Url, d.Download.Error is null ? "ok" : "error"),
        NavigationBlocked b => new RecordedMoment(now, MomentKinds.Error, MomentKinds.Page, b.TabId, "navigation blocked", $"{b.Url}: {b.Reason}", "refused"),
        TabCrashed c => new RecordedMoment(now, MomentKinds.Error, MomentKinds.Page, c.TabId, "the tab crashed", null, "error"),
        AgentMessageAdded { Message: var m } => new RecordedMoment(
            m.At, MomentKinds.Chat, m.Role == "user" ? MomentKinds.Human : MomentKinds.Agent, null, m.Role, Clip(m.Text, 4000), null, m.Author),
        AgentStepChanged { IsFinal: true, Step: var s } => FromStep(s, now),
        AgentRunChanged { Run: var r } when r.State == "running" && r.Steps == 0 =>
            new RecordedMoment(r.StartedAt, MomentKinds.Step, MomentKinds.Agent, null, "agent run started", r.Message),
        AgentRunFinished { Run: var r } => new RecordedMoment(
            r.FinishedAt ?? now, r.State is "failed" ? MomentKinds.Error : MomentKinds.Step, MomentKinds.Agent, null, $"agent run {r.State}", r.Message, r.State),
        ApprovalRequested { Approval: var a } => new RecordedMoment(
            a.RequestedAt, MomentKinds.Approval, a.Source is StepOrigin.ActionsSource or StepOrigin.McpSource ? MomentKinds.Api : MomentKinds.Agent, null, $"approval asked: {a.Tool}", a.Reason, a.Status, Tool: a.Tool),
        ApprovalResolved { Approval: var a } => new RecordedMoment(
            now, MomentKinds.Approval, MomentKinds.Human, null, $"approval {a.Status}: {a.Tool}", a.Reason, a.Status, Tool: a.Tool),
        _ => null,
    };

    private static RecordedMoment FromStep(AgentStepDto s, DateTimeOffset now) => new(
        s.FinishedAt ?? now, MomentKinds.Step, s.Source is StepOrigin.ActionsSource or StepOrigin.McpSource ? MomentKinds.Api : MomentKinds.Agent, null,
        s.Summary ?? s.Error ?? s.Tool, s.Arguments, s.Status, null, s.Tool, s.ThumbnailUrl);

    private static string? Clip(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
