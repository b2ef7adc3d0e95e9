using System.Buffers.Binary;
using System.Globalization;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Tests.Web;

/// <summary>Reads what <c>GET /api/recordings/{id}/frames</c> answers, to know which frame the player should draw.</summary>
internal static class RecordingFramesReader
{
    /// <summary>The times of the frames in a body of the <see cref="RecordingFrames"/> format.</summary>
    public static List<double> Times(byte[] body)
    {
        var times = new List<double>();
        var offset = 0;
        while (offset + RecordingFrames.HeaderSize <= body.Length)
        {
            var span = body.AsSpan(offset);
            times.Add(BinaryPrimitives.ReadDoubleLittleEndian(span));
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
            offset += RecordingFrames.HeaderSize + length;
        }

        return times;
    }

    /// <summary>The time of the frame at or before <paramref name="ms"/>, as the service answers it; null before the first frame.</summary>
    public static async Task<double?> FrameAtOrBeforeAsync(HttpClient http, string recordingId, double ms)
    {
        var from = Math.Floor(ms).ToString(CultureInfo.InvariantCulture);
        var to = Math.Ceiling(ms).ToString(CultureInfo.InvariantCulture);
        var body = await http.GetByteArrayAsync($"/api/recordings/{recordingId}/frames?from={from}&to={to}");
        var atOrBefore = Times(body).Where(t => t <= ms).ToList();
        return atOrBefore.Count == 0 ? null : atOrBefore.Max();
    }
}
