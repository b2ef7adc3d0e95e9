using Microsoft.Win32.SafeHandles;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Reads a recording's frames from any point: a binary search over the fixed-size index entries finds a time with a
/// few small reads, so an hour-long recording opens as fast as a short one. Safe beside the writer: it only sees
/// entries whose data is already on disk.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly SafeFileHandle _data;
    private readonly SafeFileHandle _index;
    private readonly byte[] _entry = new byte[FrameEntry.Size];

    private FrameReader(SafeFileHandle data, SafeFileHandle index)
    {
        _data = data;
        _index = index;
        var dataLength = RandomAccess.GetLength(data);
        var count = (int)(RandomAccess.GetLength(index) / FrameEntry.Size);
        // Entries written after the data length was read would point past it: not ours to show yet.
        while (count > 0 && EntryAt(count - 1).End > dataLength)
        {
            count--;
        }

        Count = count;
    }

    public int Count { get; }

    /// <summary>Null when the recording has no files (deleted, or never got a frame).</summary>
    public static FrameReader? Open(string directory)
    {
        var dataPath = Path.Combine(directory, FrameStore.DataFile);
        var indexPath = Path.Combine(directory, FrameStore.IndexFile);
        try
        {
            var data = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                return new FrameReader(data, File.OpenHandle(indexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            }
            catch
            {
                data.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public FrameEntry EntryAt(int i)
    {
        RandomAccess.Read(_index, _entry, (long)i * FrameEntry.Size);
        return FrameEntry.Read(_entry);
    }

    /// <summary>The last frame at or before <paramref name="atMs"/>; the first frame when all come later; -1 when there are none.</summary>
    public int IndexAtOrBefore(double atMs)
    {
        if (Count == 0)
        {
            return -1;
        }

        int low = 0, high = Count - 1;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (EntryAt(middle).AtMs <= atMs)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    public void ReadFrame(FrameEntry entry, Span<byte> destination) => RandomAccess.Read(_data, destination[..entry.Length], entry.Offset);

    public byte[] ReadFrame(FrameEntry entry)
    {
        var bytes = new byte[entry.Length];
        ReadFrame(entry, bytes);
        return bytes;
    }

    public void Dispose()
    {
        _data.Dispose();
        _index.Dispose();
    }
}
