using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.BrowserService.Browsers.Sandbox;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// Long-lived Chromium processes and a warm pool of ready contexts (each with a page on the start page), refilled
/// in the background. Taking a warm context costs microseconds; a cold one (pool empty) about a second. A browser
/// that dies is relaunched, and <see cref="BrowserLost"/> tells the sessions that lived in it.
/// </summary>
public sealed partial class BrowserPool(
    IOptions<BrowserOptions> options,
    IEnumerable<IBrowserLaunchArguments> launchArguments,
    ChromiumSandbox sandbox,
    ILogger<BrowserPool> logger) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan RelaunchWait = TimeSpan.FromSeconds(20);

    /// <summary>How long making a context with its first page may take (it takes tens of milliseconds).</summary>
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(30);

    private readonly BrowserOptions _options = options.Value;
    private readonly ConcurrentQueue<BrowserLease> _warm = new();
    private readonly SemaphoreSlim _refill = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private PooledBrowser?[] _browsers = [];
    private IPlaywright? _playwright;
    private ChromiumLaunch? _launch;
    private Task _refillLoop = Task.CompletedTask;
    private int _pendingWarm;

    /// <summary>Raised (on a pool thread) when a Chromium process disconnects; its contexts are gone.</summary>
    public event Action<PooledBrowser>? BrowserLost;

    public int WarmCount => _warm.Count;

    public int ConnectedBrowsers => _browsers.Count(b => b?.IsConnected == true);

    public int TotalContexts => _browsers.Sum(b => b?.IsConnected == true ? b.ContextCount : 0);

    public bool IsReady => ConnectedBrowsers > 0;

    public BrowserOptions Options => _options;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _playwright = await Playwright.CreateAsync();
        await _playwright.Selectors.RegisterAsync(ControlScripts.SelectorEngineName, new() { Script = ControlScripts.SelectorEngine });
        var executable = ChromiumLocator.FindOrThrow(_options.ExecutablePath);
        _launch = OperatingSystem.IsLinux()
            ? await sandbox.PrepareAsync(executable, cancellationToken)
            : new ChromiumLaunch(executable, SandboxOn: false, DownloadsPath: null);
        _browsers = new PooledBrowser?[_options.BrowserCount];
        await Task.WhenAll(Enumerable.Range(0, _options.BrowserCount).Select(LaunchAsync));
        LogPoolStarted(_options.BrowserCount, clock.ElapsedMilliseconds);
        _refillLoop = RefillLoopAsync(_stopping.Token);
    }

    /// <summary>A context with an open page: warm when one is ready, otherwise made now.</summary>
    public async Task<BrowserLease> AcquireAsync(CancellationToken cancellationToken = default)
    {
        while (_warm.TryDequeue(out var lease))
        {
            _refill.Release();
            if (lease.IsUsable)
            {
                return lease;
            }

            await lease.DisposeAsync();
        }

        _refill.Release();
        var cold = await CreateLeaseAsync(await PickBrowserAsync(cancellationToken), storageStateJson: null, wasWarm: false, cancellationToken);
        await cold.FirstPage.Page.GotoAsync(StartPage.Url).WaitAsync(cancellationToken);
        return cold;
    }

    /// <summary>A fresh context carrying saved cookies and local storage (Playwright storage-state JSON) for a restore.</summary>
    public async Task<BrowserLease> AcquireWithStorageAsync(string? storageStateJson, CancellationToken cancellationToken = default) =>
        await CreateLeaseAsync(await PickBrowserAsync(cancellationToken), storageStateJson, wasWarm: false, cancellationToken);

    /// <summary>
    /// Stops refilling only. The browsers close in <see cref="DisposeAsync"/>, after every hosted service has stopped:
    /// hosted services may stop in any order, and sessions must be saved while their pages still exist.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _refill.Release();
        try
        {
            await _refillLoop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown time is up; the browsers close in DisposeAsync all the same.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
        }

        while (_warm.TryDequeue(out var lease))
        {
            await lease.DisposeAsync();
        }

        foreach (var browser in _browsers.OfType<PooledBrowser>())
        {
            await browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _stopping.Dispose();
        _refill.Dispose();
    }

    internal static BrowserNewContextOptions ContextOptions(string? storageStateJson) => new()
    {
        // The session sizes every page itself, through its own CDP session (BrowserSession.ApplyViewportAsync). A
        // context viewport would make Playwright send its own metrics override, at ratio 1, on its session as well,
        // and a page under two overrides at different ratios mapped input at the wrong one (clicks at half their
        // coordinates for seconds, in about a third of runs at ratio 2).
        ViewportSize = ViewportSize.NoViewport,
        AcceptDownloads = true,
        // Service workers would fetch outside the page's view and outlive it; the URL policy forbids them.
        ServiceWorkers = ServiceWorkerPolicy.Block,
        StorageState = storageStateJson,
    };

    /// <summary>
    /// A new context with its first page. Every step is bounded (<see cref="LeaseTimeout"/>) and cancellable: a
    /// Chromium that stops answering (measured once in a full test run: a new page's CDP session never replied) must
    /// neither hold an acquire forever nor the refill loop, which the service's stop waits for.
    /// </summary>
    private async Task<BrowserLease> CreateLeaseAsync(PooledBrowser browser, string? storageStateJson, bool wasWarm, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(LeaseTimeout);
        var ct = bounded.Token;
        var context = await Bounded(browser.Browser.NewContextAsync(ContextOptions(storageStateJson)), ct, cancellationToken);
        try
        {
            await Bounded(context.AddInitScriptAsync(ControlScripts.MarkListeners), ct, cancellationToken);
            var page = await Bounded(context.NewPageAsync(), ct, cancellationToken);
            var handle = await Bounded(PageHandle.AttachAsync(page), ct, cancellationToken);
            if (wasWarm)
            {
                // Everything a session's first tab needs that does not depend on the session is done here, off the
                // acquire path: the default viewport, the press witness, the start page, and the Page domain the tab
                // listens on (see BrowserTab.AttachAsync).
                await Bounded(handle.EmulateAsync(new ViewportDto(_options.ViewportWidth, _options.ViewportHeight, 1)), ct, cancellationToken);
                await Bounded(PressWitness.InstallAsync(handle.Cdp), ct, cancellationToken);
                await Bounded(page.GotoAsync(StartPage.Url), ct, cancellationToken);
                await Bounded(handle.Cdp.SendAsync("Page.enable"), ct, cancellationToken);
            }

            return new BrowserLease(browser, context, handle, wasWarm);
        }
        catch
        {
            // Not awaited without a bound either: the context goes with its browser if Chromium does not answer.
            await context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Awaits <paramref name="call"/> until <paramref name="bounded"/> ends it: a timeout unless <paramref name="caller"/> was cancelled.</summary>
    private static async Task<T> Bounded<T>(Task<T> call, CancellationToken bounded, CancellationToken caller)
    {
        try
        {
            return await call.WaitAsync(bounded);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw new TimeoutException($"Chromium did not make a new context within {LeaseTimeout.TotalSeconds:0} s.");
        }
    }

    private static Task<bool> Bounded(Task call, CancellationToken bounded, CancellationToken caller) =>
        Bounded(call.ContinueWith(static t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), bounded, caller);

    /// <summary>The least busy browser; right after a crash, waits (a bounded while) for the relaunch.</summary>
    private async Task<PooledBrowser> PickBrowserAsync(CancellationToken cancellationToken)
    {
        for (var waited = TimeSpan.Zero; !IsReady && waited < RelaunchWait; waited += TimeSpan.FromMilliseconds(100))
        {
            await Task.Delay(100, cancellationToken);
        }

        return PickBrowser();
    }

    private PooledBrowser PickBrowser()
    {
        lock (_gate)
        {
            return _browsers.OfType<PooledBrowser>().Where(b => b.IsConnected).MinBy(b => b.ContextCount)
                ?? throw new BrowserUnavailableException("No Chromium process is running; the pool is relaunching it.");
        }
    }

    private async Task LaunchAsync(int index)
    {
        var arguments = launchArguments.SelectMany(source => source.Arguments)
            // New windows at the default viewport: a warm page is laid out and painted at the size a session starts with.
            .Concat(["--disable-dev-shm-usage", "--force-color-profile=srgb", $"--window-size={_options.ViewportWidth},{_options.ViewportHeight}"])
            .Concat(_options.ExtraArguments)
            .ToList();
        var launch = _launch!;
        var browser = await PooledBrowser.LaunchAsync(_playwright!, index, new BrowserTypeLaunchOptions
        {
            ExecutablePath = launch.ExecutablePath,
            ChromiumSandbox = launch.SandboxOn,
            DownloadsPath = launch.DownloadsPath,
            Headless = _options.Headless,
            Args = arguments,
            // Playwright's default switch turns Chromium's popup blocker off (which also drops a user argument of the same name).
            IgnoreDefaultArgs = _options.BlockPopups ? ["--disable-popup-blocking"] : null,
        }, logger);
        browser.Browser.Disconnected += (_, _) => _ = OnDisconnectedAsync(browser);
        lock (_gate)
        {
            _browsers[index] = browser;
        }
    }

    private async Task OnDisconnectedAsync(PooledBrowser browser)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        LogBrowserLost(browser.Index);
        BrowserLost?.Invoke(browser);
        for (var attempt = 1; !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await LaunchAsync(browser.Index);
                LogBrowserRelaunched(browser.Index, attempt);
                _refill.Release();
                return;
            }
            catch (PlaywrightException ex)
            {
                LogRelaunchFailed(ex, browser.Index, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RefillLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            while (!stopping.IsCancellationRequested && _warm.Count + _pendingWarm < _options.WarmContexts && IsReady)
            {
                Interlocked.Increment(ref _pendingWarm);
                try
                {
                    _warm.Enqueue(await CreateLeaseAsync(PickBrowser(), storageStateJson: null, wasWarm: true, stopping));
                }
                catch (Exception ex) when (ex is PlaywrightException or BrowserUnavailableException or TimeoutException)
                {
                    LogWarmFailed(ex);
                    break;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref _pendingWarm);
                }
            }

            try
            {
                // Woken by every acquire; the timeout retries after failures.
                await _refill.WaitAsync(TimeSpan.FromSeconds(2), stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Browser pool started: {Count} Chromium process(es) in {ElapsedMs} ms")]
    private partial void LogPoolStarted(int count, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Chromium #{Index} disconnected; its sessions lost their pages. Relaunching.")]
    private partial void LogBrowserLost(int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chromium #{Index} relaunched (attempt {Attempt})")]
    private partial void LogBrowserRelaunched(int index, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relaunching Chromium #{Index} failed (attempt {Attempt})")]
    private partial void LogRelaunchFailed(Exception exception, int index, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preparing a warm context failed; retrying shortly")]
    private partial void LogWarmFailed(Exception exception);
}

/// <summary>No browser can take a session right now (all crashed and relaunching).</summary>
public sealed class BrowserUnavailableException(string message) : Exception(message);
