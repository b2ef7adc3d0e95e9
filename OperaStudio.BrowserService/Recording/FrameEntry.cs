using System.Buffers.Binary;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// One frame in a recording's index: when (ms since the start), where its JPEG is in the data file, how long it is, and
/// its size in pixels. Fixed size, little-endian, so entry <c>i</c> is at <c>i * Size</c> and a time is found by binary
/// search with a handful of small reads.
/// </summary>
internal readonly record struct FrameEntry(double AtMs, long Offset, int Length, int Width, int Height)
{
    public const int Size = 24;

    public long End => Offset + Length;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(destination, AtMs);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], Offset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[20..], (ushort)Math.Clamp(Width, 0, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], (ushort)Math.Clamp(Height, 0, ushort.MaxValue));
    }

    public static FrameEntry Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadDoubleLittleEndian(source),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(source[16..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[20..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[22..]));
}
