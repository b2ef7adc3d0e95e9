namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>What a session's frames are for, in the order the frame budget serves them.</summary>
public enum StreamTier
{
    /// <summary>Nobody watches and nothing records: no frames (its screencast is stopped).</summary>
    Unwatched,

    /// <summary>Only a recording consumes the frames: a modest rate of its own.</summary>
    Recorded,

    /// <summary>A viewer is connected but has not sent input lately: a share of what is left, never below the floor.</summary>
    Watched,

    /// <summary>A viewer sent input within the interactive window: served first, up to the full rate.</summary>
    Interactive,
}
