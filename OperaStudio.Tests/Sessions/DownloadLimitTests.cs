using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sessions;

/// <summary>
/// A page cannot fill the server's disk: downloads over the limit per download, per session or below the node's
/// free-space floor are cancelled while they download, their partial files go, and the panel's event says why.
/// Each test runs its own browser service with small limits.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class DownloadLimitTests(DataStoresFixture stores, TestPageServer pages)
{
    private const int Chunk = 64 * 1024;

    [Fact]
    public async Task DownloadsOverTheLimits_AreCancelledWhileDownloading_AndThePanelIsToldWhy()
    {
        await using var host = await StartAsync("downloads", new()
        {
            ["Sessions:MaxDownloadBytes"] = "1000000",
            ["Sessions:MaxSessionDownloadBytes"] = "1500000",
        });
        var endless = SlowBody("/limits/endless.bin", announcedLength: null);
        var announced = SlowBody("/limits/announced.bin", announcedLength: 50_000_000);
        var first = FixedBody("/limits/first.bin", 800_000);
        var second = FixedBody("/limits/second.bin", 800_000);
        var session = await OpenAsync(host, "/limits/page", $"""
            <!doctype html><title>Downloads</title>
            <a id="endless" href="{endless.Url}">endless</a><a id="announced" href="{announced.Url}">announced</a>
            <a id="first" href="{first}">first</a><a id="second" href="{second}">second</a>
            """);

        // No length announced: cancelled once the received bytes pass the limit, while the server still sends.
        var endlessDone = await DownloadAsync(session, "#endless");
        await endless.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // A length over the limit announced: refused as soon as Chromium reads the headers, long before the limit's bytes.
        var announcedDone = await DownloadAsync(session, "#announced");
        await announced.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Each under the per-download limit, together over the session's.
        var firstDone = await DownloadAsync(session, "#first");
        var secondDone = await DownloadAsync(session, "#second");

        Assert.Contains("per download", endlessDone.Error, StringComparison.Ordinal);
        Assert.Contains("per download", announcedDone.Error, StringComparison.Ordinal);
        Assert.True(announced.SentBytes < 1_000_000, $"{announced.SentBytes} bytes were sent before the refusal");
        Assert.Null(firstDone.Error);
        Assert.Equal(800_000, firstDone.SizeBytes);
        Assert.Contains("session", secondDone.Error, StringComparison.Ordinal);
        // Only the kept file is on disk; the cancelled ones left nothing behind.
        Assert.Equal(800_000L, new FileInfo(Assert.Single(Directory.GetFiles(session.DownloadsDirectory, "*", SearchOption.AllDirectories))).Length);
        var listed = (await host.Http.GetFromJsonAsync<List<DownloadDto>>($"/api/sessions/{session.Id}/downloads"))!;
        Assert.Equal(3, listed.Count(d => d.Error is not null));
    }

    [Fact]
    public async Task BelowTheFreeSpaceFloor_DownloadsAreRefused()
    {
        await using var host = await StartAsync("lowdisk", new() { ["Sessions:MinFreeDiskBytes"] = long.MaxValue.ToString(CultureInfo.InvariantCulture) });
        var small = FixedBody("/limits/small.bin", 10_000);
        var session = await OpenAsync(host, "/limits/lowdisk", $"<!doctype html><title>Low disk</title><a id=\"small\" href=\"{small}\">small</a>");

        var done = await DownloadAsync(session, "#small");

        Assert.Contains("disk space", done.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(session.DownloadsDirectory)
            ? Directory.GetFiles(session.DownloadsDirectory, "*", SearchOption.AllDirectories)
            : []);
    }

    private async Task<BrowserServiceHost> StartAsync(string name, Dictionary<string, string> settings) =>
        BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync(name), pages.HostAndPort, settings);

    /// <summary>Clicks a download link and waits for the event the panel shows (DownloadFinished).</summary>
    private static async Task<DownloadDto> DownloadAsync(BrowserSession session, string selector)
    {
        var finished = new TaskCompletionSource<DownloadDto>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEvent(SessionEvent e)
        {
            if (e is DownloadFinished done)
            {
                finished.TrySetResult(done.Download);
            }
        }

        session.Events += OnEvent;
        try
        {
            await session.Tabs[0].Page.ClickAsync(selector);
            return await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            session.Events -= OnEvent;
        }
    }

    private Uri FixedBody(string path, int length) => pages.Handle(path, async context =>
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{Path.GetFileName(path)}\"";
        context.Response.ContentLength = length;
        await context.Response.Body.WriteAsync(new byte[length]);
    });

    /// <summary>
    /// A large body streamed slowly: chunk after chunk until the client goes away (capped far above every limit).
    /// With an announced length it sends slowly (a chunk per 200 ms) so a refusal up front shows as few bytes sent; a
    /// closed connection is seen by the next write (Kestrel does not report a client's close while it only waits).
    /// </summary>
    private SlowDownload SlowBody(string path, long? announcedLength)
    {
        var download = new SlowDownload();
        download.Url = pages.Handle(path, async context =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{Path.GetFileName(path)}\"";
            context.Response.ContentLength = announcedLength;
            var chunk = new byte[Chunk];
            try
            {
                for (var sent = 0L; sent < 200_000_000; sent += Chunk)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    download.SentBytes = sent + Chunk;
                    await Task.Delay(announcedLength is null ? 10 : 200, context.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                download.Aborted.TrySetResult();
            }
        });
        return download;
    }

    private async Task<BrowserSession> OpenAsync(BrowserServiceHost host, string path, string html)
    {
        var url = pages.Page(path, html);
        using var response = await host.Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        response.EnsureSuccessStatusCode();
        var session = host.Sessions.Find((await response.Content.ReadFromJsonAsync<SessionDto>())!.Id)!;
        await session.Tabs[0].Page.WaitForLoadStateAsync();
        return session;
    }

    private sealed class SlowDownload
    {
        public Uri Url { get; set; } = null!;

        public long SentBytes { get; set; }

        public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
