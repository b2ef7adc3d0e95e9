using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>A recording exported as video through ffmpeg (ffprobe reads its length) and as its JSON event log.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingExportTests(RecordingServiceFixture service)
{
    [Theory]
    [InlineData("mp4", "video/mp4")]
    [InlineData("webm", "video/webm")]
    public async Task Export_MakesAVideo_FfprobeReadsItsDuration(string format, string contentType)
    {
        var recording = await RecordTickerAsync();

        using var response = await service.Http.GetAsync($"/api/recordings/{recording.Id}/export?format={format}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"recording-{recording.Id}.{format}", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var file = Path.Combine(TestPaths.NewDirectory("export"), $"out.{format}");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());

        var duration = await ProbeDurationAsync(file);
        Assert.True(duration > 0.5 && duration < (recording.DurationMs / 1000) + 2, $"ffprobe: {duration} s for a recording of {recording.DurationMs} ms");
    }

    [Fact]
    public async Task Export_AsJson_IsTheRecordingAndItsEvents()
    {
        var recording = await RecordTickerAsync();

        using var response = await service.Http.GetAsync($"/api/recordings/{recording.Id}/export?format=json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Content.Headers.ContentDisposition);
        var exported = (await response.Content.ReadFromJsonAsync<RecordingDetailDto>())!;
        Assert.Equal(recording.Id, exported.Recording.Id);
        Assert.Equal(recording.Frames, exported.Recording.Frames);
    }

    private async Task<RecordingDto> RecordTickerAsync()
    {
        var page = service.Pages.Page("/recording/export", """
            <!doctype html><title>Export</title><body style="margin:0;font:60px sans-serif"><div id="n">0</div>
            <script>let n = 0; setInterval(() => document.getElementById('n').textContent = ++n, 100);</script>
            """);
        await using var session = await AgentClient.CreateAsync(service.Http, page);
        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        await Eventually.TrueAsync(
            async () => (await service.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!.DurationMs > 1500,
            "a second and a half recorded", TimeSpan.FromSeconds(20));
        return await RecordingClient.StopAsync(service.Http, session.SessionId);
    }

    private static async Task<double> ProbeDurationAsync(string file)
    {
        var probe = new ProcessStartInfo("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(probe)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && double.TryParse(output.Trim(), CultureInfo.InvariantCulture, out _), $"ffprobe: {output} {errors}");
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
