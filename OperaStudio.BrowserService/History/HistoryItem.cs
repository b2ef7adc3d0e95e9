using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.History;

/// <summary>A record waiting to be written: a navigation, an action, or a chat turn.</summary>
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
}
