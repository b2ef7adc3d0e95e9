using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Recordings over HTTP: start, stop and look at a session's recording; list recordings, read one with its events, its
/// frames from any point (binary, <see cref="RecordingFrames"/>), its replayable steps, export it, delete it. A recording
/// the caller may not see is answered as one that does not exist.
/// </summary>
public static class RecordingsApi
{
    private const int MaxEvents = 50_000;

    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        // Starting and stopping act on the session: in a shared one, only whoever has control (or the owner).
        var session = app.MapGroup("/api/sessions/{id}/recording").WithTags("Recordings").RequireSessionAccess();
        session.MapPost("", StartAsync).RequirePageControl();
        session.MapDelete("", StopAsync).RequirePageControl();
        session.MapGet("", GetActive);

        var recordings = app.MapGroup("/api/recordings").WithTags("Recordings");
        recordings.MapGet("", ListAsync);
        recordings.MapGet("/{id}", GetAsync);
        recordings.MapGet("/{id}/frames", FramesAsync);
        recordings.MapGet("/{id}/steps", StepsAsync);
        recordings.MapGet("/{id}/export", ExportAsync);
        recordings.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    private static async Task<Results<Ok<RecordingDto>, ProblemHttpResult>> StartAsync(
        string id, SessionManager sessions, Recorders recorders, HttpContext http, CancellationToken cancellationToken)
    {
        if (recorders.Options.Mode == RecordingMode.Off)
        {
            return Off();
        }

        try
        {
            if (await sessions.GetOrRestoreAsync(id, cancellationToken) is not { } session)
            {
                return Problems.SessionNotFound(id);
            }

            return TypedResults.Ok(await recorders.StartAsync(session, Callers.Name(http.User), cancellationToken));
        }
        catch (RecordingOffException)
        {
            return Off();
        }
        catch (SessionLimitException ex)
        {
            return Problems.TooManySessions(ex.Message);
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex) || ex is InvalidOperationException { Message: var m } && m.StartsWith("The database is not ready", StringComparison.Ordinal))
        {
            return Unavailable(ex);
        }
        catch (InvalidOperationException)
        {
            return Problems.SessionNotFound(id);
        }
    }

    private static async Task<Results<Ok<RecordingDto>, ProblemHttpResult>> StopAsync(string id, Recorders recorders) =>
        await recorders.StopAsync(id) is { } stopped ? TypedResults.Ok(stopped) : NotRecording(id);

    private static Results<Ok<RecordingDto>, ProblemHttpResult> GetActive(string id, Recorders recorders) =>
        recorders.ForSession(id) is { } running ? TypedResults.Ok(running.ToDto(RecordingStates.Recording)) : NotRecording(id);

    private static async Task<Results<Ok<RecordingsPageDto>, ProblemHttpResult>> ListAsync(
        IDbContextFactory<OperaDbContext> factory, RecordingAccess access, Recorders recorders, HttpContext http,
        string? sessionId, int? skip, int? take, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var visible = await access.VisibleAsync(db, http.User, cancellationToken);
            if (!string.IsNullOrEmpty(sessionId))
            {
                visible = visible.Where(r => r.SessionId == sessionId);
            }

            var total = await visible.CountAsync(cancellationToken);
            var page = await visible.OrderByDescending(r => r.StartedAt).ThenBy(r => r.Id)
                .Skip(Math.Max(0, skip ?? 0)).Take(Math.Clamp(take ?? 50, 1, 200)).ToListAsync(cancellationToken);
            return TypedResults.Ok(new RecordingsPageDto([.. page.Select(recorders.ToDto)], total));
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static async Task<Results<Ok<RecordingDetailDto>, ProblemHttpResult>> GetAsync(
        string id, IDbContextFactory<OperaDbContext> factory, RecordingAccess access, Recorders recorders, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            if (await access.FindAsync(db, id, http.User, cancellationToken) is not { } record)
            {
                return NotFound(id);
            }

            var events = await EventsAsync(db, id, cancellationToken);
            return TypedResults.Ok(new RecordingDetailDto(recorders.ToDto(record), [.. events.Select(ToDto)]));
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    /// <summary>
    /// The frames from the last one at or before <paramref name="from"/> up to <paramref name="to"/> (ms), in the binary
    /// format of <see cref="RecordingFrames"/>; when a response's limits stop it early, <see cref="RecordingFrames.NextHeader"/>
    /// says where to go on from.
    /// </summary>
    private static async Task<IResult> FramesAsync(
        string id, string? from, string? to, IDbContextFactory<OperaDbContext> factory, RecordingAccess access, Recorders recorders,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryParseTime(from, 0, out var fromMs) || !TryParseTime(to, double.PositiveInfinity, out var toMs) || toMs < fromMs)
        {
            return Problems.BadRequest(
                "Invalid time range", "'from' and 'to' are milliseconds since the recording started: numbers ≥ 0, with 'to' not before 'from'.", "bad-range");
        }

        try
        {
            await using (var db = await factory.CreateDbContextAsync(cancellationToken))
            {
                if (await access.FindAsync(db, id, http.User, cancellationToken) is null)
                {
                    return NotFound(id);
                }
            }
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }

        var reader = FrameReader.Open(FrameStore.DirectoryOf(recorders.Root, id));
        if (reader is null || reader.Count == 0)
        {
            reader?.Dispose();
            return TypedResults.Bytes([], "application/octet-stream");
        }

        // Chosen before the body starts, so the header can say where the next request begins.
        var chosen = new List<FrameEntry>();
        long bytes = 0;
        for (var i = reader.IndexAtOrBefore(fromMs); i < reader.Count; i++)
        {
            var entry = reader.EntryAt(i);
            if (chosen.Count > 0 && entry.AtMs > toMs)
            {
                break;
            }

            if (chosen.Count == recorders.Options.MaxFramesPerResponse
                || (chosen.Count > 0 && bytes + RecordingFrames.HeaderSize + entry.Length > RecordingFrames.MaxBytesPerResponse))
            {
                http.Response.Headers[RecordingFrames.NextHeader] = entry.AtMs.ToString("R", CultureInfo.InvariantCulture);
                break;
            }

            chosen.Add(entry);
            bytes += RecordingFrames.HeaderSize + entry.Length;
        }

        http.Response.ContentLength = bytes;
        return TypedResults.Stream(async body =>
        {
            using (reader)
            {
                var header = new byte[RecordingFrames.HeaderSize];
                foreach (var entry in chosen)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(header, entry.AtMs);
                    BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)entry.Width);
                    BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), (ushort)entry.Height);
                    BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), entry.Length);
                    await body.WriteAsync(header, http.RequestAborted);
                    await body.WriteAsync(reader.ReadFrame(entry), http.RequestAborted);
                }
            }
        }, "application/octet-stream");
    }

    private static async Task<Results<Ok<RecordingStepsDto>, ProblemHttpResult>> StepsAsync(
        string id, IDbContextFactory<OperaDbContext> factory, RecordingAccess access, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            if (await access.FindAsync(db, id, http.User, cancellationToken) is null)
            {
                return NotFound(id);
            }

            return TypedResults.Ok(new RecordingStepsDto(id, RecordingSteps.From(await EventsAsync(db, id, cancellationToken))));
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static async Task<IResult> ExportAsync(
        string id, string? format, IDbContextFactory<OperaDbContext> factory, RecordingAccess access, Recorders recorders,
        RecordingExporter exporter, HttpContext http, CancellationToken cancellationToken)
    {
        format = format?.ToLowerInvariant();
        if (format is not ("json" or "mp4" or "webm"))
        {
            return Problems.BadRequest("Unknown export format", "Export as format=webm, mp4 or json.", "bad-format");
        }

        RecordingRecord? record;
        List<RecordingEventRecord> events;
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            record = await access.FindAsync(db, id, http.User, cancellationToken);
            if (record is null)
            {
                return NotFound(id);
            }

            events = format == "json" ? await EventsAsync(db, id, cancellationToken) : [];
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }

        var dto = recorders.ToDto(record);
        if (format == "json")
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(new RecordingDetailDto(dto, [.. events.Select(ToDto)]), JsonSerializerOptions.Web);
            return TypedResults.File(json, "application/json", $"recording-{id}.json");
        }

        if (exporter.FindFfmpeg() is not { } ffmpeg)
        {
            return TypedResults.Problem(
                "Video export needs ffmpeg, which is not installed on the browser service's machine. Install it with " +
                "'sudo apt-get install -y ffmpeg' (or run eng/install-prerequisites.sh), or set Recording:FfmpegPath.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "ffmpeg is missing",
                extensions: new Dictionary<string, object?> { ["code"] = "ffmpeg-missing" });
        }

        if (dto.Frames == 0 && FrameReader.Open(FrameStore.DirectoryOf(recorders.Root, id)) is var probe && (probe?.Count ?? 0) == 0)
        {
            probe?.Dispose();
            return Problems.Conflict("Nothing to export", $"Recording {id} has no frames.", "no-frames");
        }

        var output = Path.Combine(Path.GetTempPath(), $"opera-export-{id}-{Guid.NewGuid():N}.{format}");
        try
        {
            await exporter.ExportAsync(ffmpeg, FrameStore.DirectoryOf(recorders.Root, id), dto.DurationMs, format, output, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            File.Delete(output);
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status500InternalServerError, title: "Export failed");
        }

        // Deleted once sent.
        var file = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return TypedResults.File(file, RecordingExporter.ContentTypes[format], $"recording-{id}.{format}");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, IDbContextFactory<OperaDbContext> factory, RecordingAccess access, Recorders recorders, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            RecordingRecord? record;
            await using (var db = await factory.CreateDbContextAsync(cancellationToken))
            {
                record = await access.FindAsync(db, id, http.User, cancellationToken);
            }

            if (record is null)
            {
                return NotFound(id);
            }

            if (!RecordingAccess.MayDelete(record, http.User))
            {
                return Problems.Forbidden("Owner only", "Only the session's owner (or an administrator) can delete its recordings.", "owner-required");
            }

            await recorders.DeleteAsync(record, cancellationToken);
            return TypedResults.NoContent();
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static Task<List<RecordingEventRecord>> EventsAsync(OperaDbContext db, string id, CancellationToken cancellationToken) =>
        db.RecordingEvents.AsNoTracking().Where(e => e.RecordingId == id).OrderBy(e => e.AtMs).ThenBy(e => e.Id)
            .Take(MaxEvents).ToListAsync(cancellationToken);

    private static RecordingEventDto ToDto(RecordingEventRecord e) =>
        new(e.AtMs, e.Kind, e.Actor, e.TabId, e.Title, e.Detail, e.Outcome, e.User, e.ThumbnailUrl);

    private static bool TryParseTime(string? text, double missing, out double ms)
    {
        if (string.IsNullOrEmpty(text))
        {
            ms = missing;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out ms) && double.IsFinite(ms) && ms >= 0;
    }

    private static ProblemHttpResult NotFound(string id) =>
        Problems.NotFound("Recording not found", $"There is no recording '{id}'. It was deleted, or never existed.");

    private static ProblemHttpResult NotRecording(string id) =>
        Problems.NotFound("Not recording", $"Session {id} is not being recorded.");

    private static ProblemHttpResult Off() =>
        TypedResults.Problem(
            "Recording is turned off on this service (Recording:Mode=Off).", statusCode: StatusCodes.Status409Conflict,
            title: "Recording is off", type: "recording-off", extensions: new Dictionary<string, object?> { ["code"] = "recording-off" });

    private static ProblemHttpResult Unavailable(Exception ex) =>
        TypedResults.Problem(
            $"Recordings are unavailable: PostgreSQL is not reachable ({ex.GetBaseException().Message}).",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Recordings unavailable");
}
