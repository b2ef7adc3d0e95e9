using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.History;

/// <summary>A record waiting to be written: a navigation, an action, a chat turn, or a recording's event.</summary>
internal abstract record HistoryItem
{
    public abstract string SessionId { get; }

    public sealed record Navigation(NavigationRecord Record) : HistoryItem
    {
        public override string SessionId => Record.SessionId;
    }

    public sealed record Action(ActionRecord Record) : HistoryItem
    {
        public override string SessionId => Record.SessionId;
    }

    public sealed record Chat(ChatMessageRecord Record) : HistoryItem
    {
        public override string SessionId => Record.SessionId;
    }

    /// <summary>Written by the same queue as the rest, so a recording's events never wait on the session either.</summary>
    public sealed record RecordingEvent(string Session, RecordingEventRecord Record) : HistoryItem
    {
        public override string SessionId => Session;
    }
}
