namespace OperaStudio.BrowserService.Sharing;

/// <summary>What is kept per live session's view (a room) and per connection in it.</summary>
internal sealed partial class SessionPresence
{
    private sealed class Room(string sessionId, string? owner, long now)
    {
        public string SessionId { get; } = sessionId;

        public string? Owner { get; } = owner;

        public Lock Gate { get; } = new();

        /// <summary>Starts as the owner (null only for a session without one: then the administrator acts).</summary>
        public string? Controller { get; set; } = owner;

        public List<string> Requests { get; } = [];

        public long LastInputAt { get; set; } = now;

        public Dictionary<string, Participant> Connections { get; } = new(StringComparer.Ordinal);

        public bool IdleCheckArmed { get; set; }

        public bool Ended { get; set; }
    }

    private sealed class Participant(string user, SessionRight right)
    {
        public string User { get; } = user;

        public SessionRight Right { get; set; } = right;

        public long LastPointerAt { get; set; }

        /// <summary>Positions this person may still send right now (a token bucket).</summary>
        public double PointerAllowance { get; set; }
    }
}
