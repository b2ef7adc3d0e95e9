using System.Buffers.Binary;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Where a recording's files are and how a crashed one is repaired. A recording is a directory holding
/// <c>frames.jpg</c> (the JPEGs one after another), <c>frames.idx</c> (a <see cref="FrameEntry"/> per frame, in time
/// order) and <c>clock</c> (the milliseconds recorded so far, rewritten at each flush, so a static page that sent its last
/// frame long ago still has its true length). The index is only ever written after the data it points to is flushed.
/// </summary>
internal static class FrameStore
{
    public const string DataFile = "frames.jpg";
    public const string IndexFile = "frames.idx";
    public const string ClockFile = "clock";

    public static string DirectoryOf(string root, string recordingId) => Path.Combine(root, recordingId);

    /// <summary>What the files hold: frames, bytes, the last frame's size, and how long the recording ran.</summary>
    public sealed record Summary(int Frames, long Bytes, double DurationMs, int Width, int Height);

    /// <summary>
    /// After a crash: cuts both files back to the last frame that is whole on disk (an index entry past the data's end,
    /// a torn entry, data no entry points to) and reports what is left.
    /// </summary>
    public static Summary Repair(string directory)
    {
        var dataPath = Path.Combine(directory, DataFile);
        var indexPath = Path.Combine(directory, IndexFile);
        if (!File.Exists(dataPath) || !File.Exists(indexPath))
        {
            return new Summary(0, 0, ReadClock(directory), 0, 0);
        }

        using var data = new FileStream(dataPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        using var index = new FileStream(indexPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var count = (int)(index.Length / FrameEntry.Size);
        var buffer = new byte[FrameEntry.Size];
        var valid = 0;
        FrameEntry last = default;
        var previousEnd = 0L;
        for (var i = 0; i < count; i++)
        {
            RandomAccess.Read(index.SafeFileHandle, buffer, (long)i * FrameEntry.Size);
            var entry = FrameEntry.Read(buffer);
            if (entry.Offset != previousEnd || entry.Length <= 0 || entry.End > data.Length || !double.IsFinite(entry.AtMs))
            {
                break;
            }

            previousEnd = entry.End;
            last = entry;
            valid++;
        }

        index.SetLength((long)valid * FrameEntry.Size);
        data.SetLength(previousEnd);
        index.Flush(flushToDisk: true);
        data.Flush(flushToDisk: true);
        var duration = Math.Max(valid > 0 ? last.AtMs : 0, ReadClock(directory));
        return new Summary(valid, previousEnd, duration, last.Width, last.Height);
    }

    public static double ReadClock(string directory)
    {
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(directory, ClockFile));
            return bytes.Length >= 8 && BinaryPrimitives.ReadDoubleLittleEndian(bytes) is var ms && double.IsFinite(ms) && ms >= 0 ? ms : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
