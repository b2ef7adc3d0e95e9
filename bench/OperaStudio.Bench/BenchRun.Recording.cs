using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using OperaStudio.Bench.Machine;
using OperaStudio.Bench.Ours;
using OperaStudio.Bench.Pages;
using OperaStudio.Bench.Report;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Recording;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench;

// Recording (issue 12): what recording costs in CPU next to streaming, what it stores per minute, and how fast a seek is.
public sealed partial class BenchRun
{
    /// <summary>What the player asks for on a seek (Player.razor.js, WINDOW_MS): the frame at or before t, and 8 s after it.</summary>
    private const double SeekWindowMs = 8000;

    private const double HourMs = 3_600_000;

    /// <summary>The one-hour recording's disk budget: its frame rate is what real frames of this size allow within it.</summary>
    private const long HourBudgetBytes = 900_000_000;

    /// <summary>Real recordings of this run, whose frames fill the one-hour recording.</summary>
    private readonly List<string> _recordedIds = [];

    private string? _busyRecordingId;

    /// <summary>Where the service keeps a recording's files: the AppHost sets Recording__Path to the data folder's recordings/.</summary>
    private string RecordingDirectory(string id) => FrameStore.DirectoryOf(Path.Combine(_dataDirectory, "recordings"), id);

    /// <summary>
    /// The busy page at 1280×720 with one protocol-level viewer (through the web origin): the service side's CPU (the
    /// .NET service, its Playwright driver, its Chromium) over a window without a recording, then over one with a
    /// recording started through REST; the pair is repeated, alternating, so the machine's drift shows in the rounds.
    /// </summary>
    private async Task MeasureRecordingCpuAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Busy);
        try
        {
            await using var hub = await HubViewer.JoinAsync(_ours.Web, session.Id);
            await hub.FirstFrame.WaitAsync(TimeSpan.FromSeconds(30));
            // The pool refills the context this session took: Chromium's work, not the recording's.
            await _ours.WaitForWarmAsync(WarmContexts, TimeSpan.FromSeconds(60));
            await Task.Delay(2000);
            var window = TimeSpan.FromSeconds(settings.RecordingCpuSeconds);
            for (var round = 0; round < settings.RecordingCpuRounds; round++)
            {
                var (off, fpsOff) = await CpuWithFpsAsync(hub, window);
                var started = await StartRecordingAsync(session.Id);
                await Task.Delay(1000); // the recording's start (row, files, first frame) is not its running cost
                var (on, fpsOn) = await CpuWithFpsAsync(hub, window);
                await StopRecordingAsync(session.Id);
                var stored = await RecordingAsync(started.Id);
                _results.RecordingBusy.Add(new RecordingStorage("busy", stored.Frames, stored.Bytes, stored.DurationMs, 0, 0, null, null, ""));
                _results.RecordingCpu.Add(new RecordingCpuRound(off, on, fpsOff, fpsOn));
                _busyRecordingId = started.Id;
                _recordedIds.Add(started.Id);
                Log($"  round {round + 1}: service side {off.ServiceSide(Systems.Ours):0.0}% at {fpsOff:0.0} fps without, " +
                    $"{on.ServiceSide(Systems.Ours):0.0}% at {fpsOn:0.0} fps with a recording ({stored.Frames} frames, {stored.Bytes / 1e6:0.0} MB); " +
                    $"machine {off.MachinePercent:0}% / {on.MachinePercent:0}%");
                await Task.Delay(1000);
            }
        }
        finally
        {
            await _ours.CloseSessionAsync(session.Id);
        }
    }

    private async Task<(CpuWindow Cpu, double Fps)> CpuWithFpsAsync(HubViewer hub, TimeSpan window)
    {
        var frames = hub.Frames;
        var clock = Stopwatch.StartNew();
        var cpu = _systems.StartCpu();
        await Task.Delay(window);
        var used = cpu.Stop();
        return (used, (hub.Frames - frames) / clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The mostly static page (a clock that changes every few seconds) and the static page, each recorded for a while
    /// with nobody watching: bytes and frames as <c>GET /api/recordings/{id}</c> reports them, what came after the first
    /// frame (from the frames endpoint), and the service side's CPU without a recording (so without a screencast) and with one.
    /// </summary>
    private async Task MeasureRecordingStorageAsync()
    {
        var pages = new[] { ($"mostly static (a clock that changes every {TestPages.ClockPeriodSeconds} s)", _pages.Clock), ("static", _pages.Static) };
        foreach (var (name, url) in pages)
        {
            var session = await _ours.CreateSessionAsync(url);
            try
            {
                await _ours.WaitForWarmAsync(WarmContexts, TimeSpan.FromSeconds(60));
                await Task.Delay(2000);
                var cpu = _systems.StartCpu();
                await Task.Delay(TimeSpan.FromSeconds(settings.RecordingCpuSeconds));
                var off = cpu.Stop();
                var started = await StartRecordingAsync(session.Id);
                await Task.Delay(1000);
                cpu = _systems.StartCpu();
                await Task.Delay(TimeSpan.FromSeconds(settings.RecordingStorageSeconds - 1));
                var on = cpu.Stop();
                await StopRecordingAsync(session.Id);
                var stored = await RecordingAsync(started.Id);
                var frames = await FrameListAsync(started.Id);
                var detail = string.Join(", ", frames.Take(6).Select(f => $"{f.AtMs:0} ms: {f.Length / 1024.0:0.0} KB")) + (frames.Count > 6 ? ", …" : "");
                _results.RecordingStorage.Add(new RecordingStorage(name, stored.Frames, stored.Bytes, stored.DurationMs,
                    Math.Max(0, frames.Count - 1), frames.Skip(1).Sum(f => (long)f.Length), off, on, detail));
                _recordedIds.Add(started.Id);
                var result = _results.RecordingStorage[^1];
                Log($"  {name}: {stored.Frames} frames, {stored.Bytes / 1e6:0.00} MB in {stored.DurationMs / 1000:0.0} s = {result.MegabytesPerMinute:0.00} MB/min " +
                    $"({result.BytesAfterFirst / 1e6:0.00} MB after the first frame); service side {off.ServiceSide(Systems.Ours):0.0}% without, " +
                    $"{on.ServiceSide(Systems.Ours):0.0}% with; frames: {detail}");
            }
            finally
            {
                await _ours.CloseSessionAsync(session.Id);
            }
        }
    }

    /// <summary>
    /// Seeks. An hour cannot be recorded in a run, so the bench writes one with the service's own <see cref="FrameWriter"/>
    /// (real screencast JPEGs of this run's recordings, at the rate the disk budget allows) into the files of a real
    /// recording (started and stopped through REST on the static page, so the service has its row), then times random
    /// seeks — the frame at or before t and the player's window after it — through <see cref="FrameReader"/> as the
    /// frames endpoint uses it, and through the endpoint itself via the web origin, first with the files in the page
    /// cache, then with them evicted before each seek. Last, the endpoint on the real busy recording of the CPU figure.
    /// </summary>
    private async Task MeasureRecordingSeekAsync()
    {
        var pool = ReadPool();
        if (pool.Count == 0)
        {
            // The other recording figures did not run: a few seconds of the busy page give real frames.
            await RecordBusyBrieflyAsync();
            pool = ReadPool();
        }

        if (pool.Count == 0)
        {
            throw new InvalidOperationException("No recorded frames to build the one-hour recording from.");
        }

        var session = await _ours.CreateSessionAsync(_pages.Static);
        string? hourId = null;
        try
        {
            await Task.Delay(1000);
            hourId = (await StartRecordingAsync(session.Id)).Id;
            await Task.Delay(1500);
            await StopRecordingAsync(session.Id);
            var directory = RecordingDirectory(hourId);
            if (!Directory.Exists(directory))
            {
                throw new InvalidOperationException($"The recording's files are not where the bench expects them ({directory}).");
            }

            foreach (var file in new[] { FrameStore.DataFile, FrameStore.IndexFile, FrameStore.ClockFile })
            {
                File.Delete(Path.Combine(directory, file));
            }

            var write = Stopwatch.StartNew();
            var (frames, bytes, fps) = WriteHour(directory, pool);
            var writeSeconds = write.Elapsed.TotalSeconds;
            Log($"  wrote a one-hour recording: {frames:N0} frames at {fps:0.#} fps from {pool.Count} real frames, {bytes / 1e6:0} MB in {writeSeconds:0.0} s");

            var sizes = new List<(int Frames, long Bytes)>();
            var readerWarm = await SeekSamplesAsync(HourMs, at => Task.FromResult(SeekThroughReader(directory, at)), evict: null, sizes);
            var httpWarm = await SeekSamplesAsync(HourMs, at => SeekThroughHttpAsync(hourId, at), evict: null);
            var evicted = true;
            void Evict() => evicted &= PageCache.Evict(Path.Combine(directory, FrameStore.DataFile)) & PageCache.Evict(Path.Combine(directory, FrameStore.IndexFile));
            var readerCold = await SeekSamplesAsync(HourMs, at => Task.FromResult(SeekThroughReader(directory, at)), Evict);
            var httpCold = await SeekSamplesAsync(HourMs, at => SeekThroughHttpAsync(hourId, at), Evict);
            Log($"  one hour, reader: warm p50 {readerWarm.P50:0.0} / p95 {readerWarm.P95:0.0} / max {readerWarm.Max:0.0} ms, " +
                $"cold p50 {readerCold.P50:0.0} / p95 {readerCold.P95:0.0} / max {readerCold.Max:0.0} ms");
            Log($"  one hour, HTTP: warm p50 {httpWarm.P50:0.0} / p95 {httpWarm.P95:0.0} / max {httpWarm.Max:0.0} ms, " +
                $"cold p50 {httpCold.P50:0.0} / p95 {httpCold.P95:0.0} / max {httpCold.Max:0.0} ms{(evicted ? "" : " (the kernel refused an eviction)")}");

            Stat? real = null;
            var realDuration = 0.0;
            if (_busyRecordingId is { } busy)
            {
                realDuration = (await RecordingAsync(busy)).DurationMs;
                real = await SeekSamplesAsync(realDuration, at => SeekThroughHttpAsync(busy, at), evict: null);
                Log($"  the real busy recording ({realDuration / 1000:0.0} s), HTTP: p50 {real.P50:0.0} / p95 {real.P95:0.0} / max {real.Max:0.0} ms");
            }

            _results.RecordingSeek = new RecordingSeek(HourMs, frames, bytes, fps, pool.Count, writeSeconds, SeekWindowMs,
                readerWarm, readerCold, httpWarm, httpCold, real, realDuration,
                sizes.Count == 0 ? 0 : sizes.Average(s => s.Frames), sizes.Count == 0 ? 0 : sizes.Average(s => s.Bytes), evicted);
        }
        finally
        {
            await _ours.CloseSessionAsync(session.Id);
            if (hourId is not null)
            {
                // Its hundreds of MB go now, not at the end of the run.
                using var deleted = await _ours.WebHttp.DeleteAsync($"/api/recordings/{hourId}");
            }
        }
    }

    private async Task RecordBusyBrieflyAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Busy);
        try
        {
            await Task.Delay(1000);
            var started = await StartRecordingAsync(session.Id);
            await Task.Delay(3000);
            await StopRecordingAsync(session.Id);
            _busyRecordingId = started.Id;
            _recordedIds.Add(started.Id);
        }
        finally
        {
            await _ours.CloseSessionAsync(session.Id);
        }
    }

    private readonly record struct PoolFrame(byte[] Jpeg, int Width, int Height);

    /// <summary>Up to 200 frames of each of this run's recordings, read back from the service's files.</summary>
    private List<PoolFrame> ReadPool()
    {
        var pool = new List<PoolFrame>();
        foreach (var id in _recordedIds)
        {
            using var reader = FrameReader.Open(RecordingDirectory(id));
            for (var i = 0; reader is not null && i < Math.Min(reader.Count, 200); i++)
            {
                var entry = reader.EntryAt(i);
                pool.Add(new PoolFrame(reader.ReadFrame(entry), entry.Width, entry.Height));
            }
        }

        return pool;
    }

    /// <summary>
    /// An hour of the pool's frames, cycled, at the highest rate (half-frame steps, 1 to 10 fps) whose bytes stay within
    /// <see cref="HourBudgetBytes"/>, each interval jittered ±20 %; flushed every recorded minute, as the service flushes
    /// every second (the files' layout does not depend on it).
    /// </summary>
    private (int Frames, long Bytes, double Fps) WriteHour(string directory, List<PoolFrame> pool)
    {
        var mean = pool.Average(f => (double)f.Jpeg.Length);
        var fps = Math.Clamp(Math.Floor(HourBudgetBytes / (HourMs / 1000 * mean) * 2) / 2, 1, 10);
        var interval = 1000 / fps;
        using var writer = new FrameWriter(directory);
        var nextFlush = 60_000.0;
        var i = 0;
        for (var at = 0.0; at < HourMs; at += interval * (0.8 + (0.4 * _random.NextDouble())))
        {
            var frame = pool[i++ % pool.Count];
            writer.Append(at, frame.Jpeg, frame.Width, frame.Height);
            if (at >= nextFlush)
            {
                writer.Flush(at);
                nextFlush += 60_000;
            }
        }

        writer.Flush(HourMs);
        return (writer.Frames, writer.Bytes, fps);
    }

    /// <summary>Random points over <paramref name="durationMs"/>, two warm-up seeks discarded.</summary>
    private async Task<Stat> SeekSamplesAsync(
        double durationMs, Func<double, Task<(int Frames, long Bytes)>> seek, Action? evict, List<(int Frames, long Bytes)>? sizes = null)
    {
        var samples = new List<double>();
        for (var i = 0; i < settings.SeekSamples + 2; i++)
        {
            var at = _random.NextDouble() * durationMs;
            evict?.Invoke();
            var clock = Stopwatch.StartNew();
            var got = await seek(at);
            var ms = clock.Elapsed.TotalMilliseconds;
            if (i >= 2)
            {
                samples.Add(ms);
                sizes?.Add(got);
            }

            await PauseAsync(20, 60);
        }

        return Stat.Of(samples);
    }

    /// <summary>
    /// What <c>GET /api/recordings/{id}/frames</c> does with the files (RecordingsApi.FramesAsync, less the access check
    /// and the HTTP): opens the reader, finds the frame at or before <paramref name="fromMs"/>, takes frames up to the
    /// window's end within the response's limits, and reads each.
    /// </summary>
    private static (int Frames, long Bytes) SeekThroughReader(string directory, double fromMs)
    {
        using var reader = FrameReader.Open(directory) ?? throw new InvalidOperationException($"No frames in {directory}.");
        var toMs = fromMs + SeekWindowMs;
        var chosen = new List<FrameEntry>();
        long bytes = 0;
        for (var i = reader.IndexAtOrBefore(fromMs); i < reader.Count; i++)
        {
            var entry = reader.EntryAt(i);
            if ((chosen.Count > 0 && entry.AtMs > toMs) || chosen.Count == RecordingFrames.MaxFramesPerResponse
                || (chosen.Count > 0 && bytes + RecordingFrames.HeaderSize + entry.Length > RecordingFrames.MaxBytesPerResponse))
            {
                break;
            }

            chosen.Add(entry);
            bytes += RecordingFrames.HeaderSize + entry.Length;
        }

        foreach (var entry in chosen)
        {
            _ = reader.ReadFrame(entry);
        }

        return (chosen.Count, bytes);
    }

    /// <summary>The player's request for the window at <paramref name="fromMs"/>, through the web origin, read to its end.</summary>
    private async Task<(int Frames, long Bytes)> SeekThroughHttpAsync(string recordingId, double fromMs)
    {
        var body = await FramesBodyAsync(recordingId, fromMs, fromMs + SeekWindowMs);
        return (ParseFrames(body.Body).Count, body.Body.Length);
    }

    private async Task<(byte[] Body, double? Next)> FramesBodyAsync(string recordingId, double fromMs, double? toMs)
    {
        var query = $"from={Math.Floor(fromMs).ToString(CultureInfo.InvariantCulture)}" +
            (toMs is { } to ? $"&to={Math.Ceiling(to).ToString(CultureInfo.InvariantCulture)}" : "");
        using var response = await _ours.WebHttp.GetAsync($"/api/recordings/{recordingId}/frames?{query}");
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET frames?{query} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var next = response.Headers.TryGetValues(RecordingFrames.NextHeader, out var values)
            ? double.Parse(values.First(), CultureInfo.InvariantCulture)
            : (double?)null;
        return (await response.Content.ReadAsByteArrayAsync(), next);
    }

    /// <summary>Every frame's time and size, following the endpoint's next header.</summary>
    private async Task<List<(double AtMs, int Length)>> FrameListAsync(string recordingId)
    {
        var frames = new List<(double AtMs, int Length)>();
        double? from = 0;
        for (var requests = 0; from is { } at && requests < 1000; requests++)
        {
            var (body, next) = await FramesBodyAsync(recordingId, at, null);
            // A page after the first starts with the frame at the next time itself (the last one at or before it).
            frames.AddRange(ParseFrames(body).Where(f => frames.Count == 0 || f.AtMs > frames[^1].AtMs));
            from = next;
        }

        return frames;
    }

    /// <summary>The frames endpoint's body (RecordingFrames): per frame a 16-byte header, then the JPEG.</summary>
    private static List<(double AtMs, int Length)> ParseFrames(byte[] body)
    {
        var frames = new List<(double AtMs, int Length)>();
        for (var at = 0; at + RecordingFrames.HeaderSize <= body.Length;)
        {
            var span = body.AsSpan(at);
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
            frames.Add((BinaryPrimitives.ReadDoubleLittleEndian(span), length));
            at += RecordingFrames.HeaderSize + length;
        }

        return frames;
    }

    private async Task<RecordingDto> StartRecordingAsync(string sessionId)
    {
        using var response = await _ours.WebHttp.PostAsync($"/api/sessions/{sessionId}/recording", null);
        return await ReadRecordingAsync(response, "POST …/recording");
    }

    private async Task<RecordingDto> StopRecordingAsync(string sessionId)
    {
        using var response = await _ours.WebHttp.DeleteAsync($"/api/sessions/{sessionId}/recording");
        return await ReadRecordingAsync(response, "DELETE …/recording");
    }

    /// <summary>GET /api/recordings/{id}: the stored figures (bytes, frames, duration) of a stopped recording.</summary>
    private async Task<RecordingDto> RecordingAsync(string recordingId)
    {
        using var response = await _ours.WebHttp.GetAsync($"/api/recordings/{recordingId}");
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET /api/recordings/{recordingId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<RecordingDetailDto>(OperaSystem.JsonOptions))!.Recording;
    }

    private static async Task<RecordingDto> ReadRecordingAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<RecordingDto>(OperaSystem.JsonOptions))!;
    }
}
