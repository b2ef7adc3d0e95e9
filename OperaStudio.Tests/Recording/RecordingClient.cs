using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>One frame as the frames endpoint sends it.</summary>
public sealed record RecordedFrame(double AtMs, int Width, int Height, byte[] Jpeg);

/// <summary>The recordings REST API as the player (or a script) uses it.</summary>
public static class RecordingClient
{
    public static async Task<RecordingDto> StartAsync(HttpClient http, string sessionId)
    {
        using var response = await http.PostAsync($"/api/sessions/{sessionId}/recording", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"start: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RecordingDto>())!;
    }

    public static async Task<RecordingDto> StopAsync(HttpClient http, string sessionId)
    {
        using var response = await http.DeleteAsync($"/api/sessions/{sessionId}/recording");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"stop: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RecordingDto>())!;
    }

    public static async Task<RecordingDetailDto> DetailAsync(HttpClient http, string recordingId) =>
        (await http.GetFromJsonAsync<RecordingDetailDto>($"/api/recordings/{recordingId}"))!;

    /// <summary>Waits until the recording's events satisfy <paramref name="accept"/> (events are written in the background).</summary>
    public static Task<RecordingDetailDto> DetailWhenAsync(HttpClient http, string recordingId, Func<RecordingDetailDto, bool> accept, string what) =>
        Eventually.ValueAsync(() => DetailAsync(http, recordingId), accept, what, TimeSpan.FromSeconds(30),
            d => string.Join(" | ", d.Events.Select(e => $"{e.AtMs:0}:{e.Kind}:{e.Actor}:{e.Title}")));

    /// <summary>One response of the frames endpoint: its frames and its next header.</summary>
    public static async Task<(List<RecordedFrame> Frames, double? Next)> FramesPageAsync(HttpClient http, string recordingId, double? from = null, double? to = null)
    {
        var query = string.Join("&", new[] { from is null ? null : $"from={Ms(from.Value)}", to is null ? null : $"to={Ms(to.Value)}" }.Where(q => q is not null));
        using var response = await http.GetAsync($"/api/recordings/{recordingId}/frames{(query.Length > 0 ? "?" + query : "")}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"frames: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var next = response.Headers.TryGetValues(RecordingFrames.NextHeader, out var values)
            ? double.Parse(values.Single(), CultureInfo.InvariantCulture)
            : (double?)null;
        return (Parse(await response.Content.ReadAsByteArrayAsync()), next);
    }

    /// <summary>Every frame from <paramref name="from"/> to <paramref name="to"/>, following the next header; also how many requests it took.</summary>
    public static async Task<(List<RecordedFrame> Frames, int Requests)> AllFramesAsync(HttpClient http, string recordingId, double? from = null, double? to = null)
    {
        var frames = new List<RecordedFrame>();
        var requests = 0;
        double? next = from;
        do
        {
            var (page, following) = await FramesPageAsync(http, recordingId, next, to);
            requests++;
            // A page after the first starts with the frame at the next time itself (the last one at or before it).
            frames.AddRange(page.Where(f => frames.Count == 0 || f.AtMs > frames[^1].AtMs));
            next = following;
        }
        while (next is not null && requests < 10_000);

        return (frames, requests);
    }

    public static List<RecordedFrame> Parse(byte[] body)
    {
        var frames = new List<RecordedFrame>();
        var at = 0;
        while (at < body.Length)
        {
            var span = body.AsSpan(at);
            var time = BinaryPrimitives.ReadDoubleLittleEndian(span);
            var width = BinaryPrimitives.ReadUInt16LittleEndian(span[8..]);
            var height = BinaryPrimitives.ReadUInt16LittleEndian(span[10..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
            frames.Add(new RecordedFrame(time, width, height, span.Slice(RecordingFrames.HeaderSize, length).ToArray()));
            at += RecordingFrames.HeaderSize + length;
        }

        return frames;
    }

    private static string Ms(double ms) => ms.ToString("R", CultureInfo.InvariantCulture);
}
