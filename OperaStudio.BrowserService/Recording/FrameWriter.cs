using System.Buffers.Binary;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Appends frames to a recording's files (see <see cref="FrameStore"/>). JPEGs go through a buffer into the data file;
/// their index entries wait in memory until <see cref="Flush"/> has put the data on disk, so an index on disk never
/// points past its data, whatever moment the process dies at. One writer per recording, used by one thread at a time.
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    private readonly FileStream _data;
    private readonly FileStream _index;
    private readonly FileStream _clock;
    private readonly List<byte> _pendingIndex = new(FrameEntry.Size * 64);
    private readonly byte[] _entry = new byte[FrameEntry.Size];
    private long _length;
    private double _lastAt = -1;

    public FrameWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        _data = new FileStream(Path.Combine(directory, FrameStore.DataFile), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
        _index = new FileStream(Path.Combine(directory, FrameStore.IndexFile), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);
        _clock = new FileStream(Path.Combine(directory, FrameStore.ClockFile), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);
    }

    public int Frames { get; private set; }

    public long Bytes => _length;

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>The last frame's time; frames get strictly increasing times, so a time names one frame.</summary>
    public double LastAtMs => _lastAt;

    public FrameEntry Append(double atMs, ReadOnlySpan<byte> jpeg, int width, int height)
    {
        atMs = Math.Max(Math.Max(0, atMs), _lastAt + 0.001);
        var entry = new FrameEntry(atMs, _length, jpeg.Length, width, height);
        _data.Write(jpeg);
        entry.Write(_entry);
        _pendingIndex.AddRange(_entry);
        _length += jpeg.Length;
        _lastAt = atMs;
        Frames++;
        (Width, Height) = (width, height);
        return entry;
    }

    /// <summary>Data first, then the entries that point into it, then how long the recording has run.</summary>
    public void Flush(double elapsedMs)
    {
        _data.Flush(flushToDisk: true);
        if (_pendingIndex.Count > 0)
        {
            _index.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pendingIndex));
            _pendingIndex.Clear();
            _index.Flush(flushToDisk: true);
        }

        Span<byte> clock = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(clock, elapsedMs);
        RandomAccess.Write(_clock.SafeFileHandle, clock, 0);
    }

    public void Dispose()
    {
        _data.Dispose();
        _index.Dispose();
        _clock.Dispose();
    }
}
