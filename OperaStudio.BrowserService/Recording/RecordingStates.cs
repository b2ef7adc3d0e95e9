namespace OperaStudio.BrowserService.Recording;

/// <summary>The states of <see cref="Contracts.RecordingDto.State"/>.</summary>
internal static class RecordingStates
{
    public const string Recording = "recording";
    public const string Finished = "finished";
    public const string Interrupted = "interrupted";
}

/// <summary><c>Recording:Mode=Off</c>: nothing may be recorded.</summary>
internal sealed class RecordingOffException() : InvalidOperationException("Recording is turned off on this service (Recording:Mode=Off).");
