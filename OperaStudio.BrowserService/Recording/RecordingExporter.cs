using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Turns a recording's frames into a video with ffmpeg. Frames come at irregular times (only when the page changed), so
/// they are resampled to <see cref="RecordingOptions.ExportFrameRate"/>: at each tick the frame showing then is piped to
/// ffmpeg as MJPEG. Encoders chosen for speed on small machines: libx264 ultrafast (MP4), libvpx realtime (WebM).
/// </summary>
internal sealed partial class RecordingExporter(IOptions<RecordingOptions> options, ILogger<RecordingExporter> logger)
{
    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mp4"] = "video/mp4",
        ["webm"] = "video/webm",
    };

    /// <summary>The ffmpeg to run, or null when it is not installed.</summary>
    public string? FindFfmpeg()
    {
        var configured = options.Value.FfmpegPath;
        if (Path.IsPathRooted(configured) || configured.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(configured) ? configured : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, configured))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Writes the video to <paramref name="output"/>; throws with ffmpeg's own words when it fails.</summary>
    public async Task ExportAsync(string ffmpeg, string directory, double durationMs, string format, string output, CancellationToken cancellationToken)
    {
        using var reader = FrameReader.Open(directory) ?? throw new InvalidOperationException("The recording has no frames.");
        if (reader.Count == 0)
        {
            throw new InvalidOperationException("The recording has no frames.");
        }

        var fps = options.Value.ExportFrameRate;
        var first = reader.EntryAt(0);
        var last = reader.EntryAt(reader.Count - 1);
        // Even sizes (the encoders' 4:2:0 needs them); every frame is fitted into the last frame's size.
        var (width, height) = (Math.Max(2, last.Width & ~1), Math.Max(2, last.Height & ~1));
        var endMs = Math.Max(Math.Max(durationMs, last.AtMs), first.AtMs) + (1000.0 / fps);
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(fps, width, height, format, output))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var discard = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            var input = process.StandardInput.BaseStream;
            var index = 0;
            var shown = first;
            byte[]? bytes = null;
            for (var tick = 0; ; tick++)
            {
                var at = first.AtMs + (tick * 1000.0 / fps);
                if (at > endMs)
                {
                    break;
                }

                while (index + 1 < reader.Count && reader.EntryAt(index + 1) is var next && next.AtMs <= at)
                {
                    index++;
                    shown = next;
                    bytes = null;
                }

                bytes ??= reader.ReadFrame(shown);
                await input.WriteAsync(bytes, cancellationToken);
            }

            await input.FlushAsync(cancellationToken);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }
        }

        await discard;
        var stderr = await errors;
        if (process.ExitCode != 0)
        {
            LogFailed(process.ExitCode, stderr);
            throw new InvalidOperationException($"ffmpeg failed (exit code {process.ExitCode}): {stderr.Trim()}");
        }
    }

    private static List<string> Arguments(int fps, int width, int height, string format, string output)
    {
        var rate = fps.ToString(CultureInfo.InvariantCulture);
        var size = $"{width}:{height}";
        List<string> arguments =
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "image2pipe", "-framerate", rate, "-c:v", "mjpeg", "-i", "pipe:0",
            "-vf", $"scale={size}:force_original_aspect_ratio=decrease,pad={size}:(ow-iw)/2:(oh-ih)/2,format=yuv420p",
            "-r", rate,
        ];
        arguments.AddRange(format == "mp4"
            ? ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "28", "-movflags", "+faststart", "-f", "mp4"]
            : ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M", "-f", "webm"]);
        arguments.Add(output);
        return arguments;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exporting a recording: ffmpeg exited with {ExitCode}: {Errors}")]
    private partial void LogFailed(int exitCode, string errors);
}
