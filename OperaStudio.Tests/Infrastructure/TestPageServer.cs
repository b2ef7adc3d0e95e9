using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// Serves the test pages on loopback from the tests themselves (Kestrel on 127.0.0.1, a free port).
/// Tests register a page or handler per path and get its absolute URL back.
/// </summary>
public sealed class TestPageServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>host:port, as the URL policy's allow-list spells it.</summary>
    public string HostAndPort => $"{BaseAddress.Host}:{BaseAddress.Port}";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Run(context => _routes.TryGetValue(context.Request.Path.Value ?? "/", out var handler)
            ? handler(context)
            : NotFound(context));
        await _app.StartAsync();
        var address = _app.Urls.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    /// <summary>Serves <paramref name="html"/> at <paramref name="path"/> and returns its URL.</summary>
    public Uri Page(string path, string html) =>
        Handle(path, context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(html);
        });

    public Uri Handle(string path, RequestDelegate handler)
    {
        _routes[path] = handler;
        return new Uri(BaseAddress, path.TrimStart('/'));
    }

    /// <summary>Accepts WebSockets at <paramref name="path"/> and echoes every message; returns its ws:// URL.</summary>
    public Uri WebSocketEcho(string path)
    {
        var url = Handle(path, async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        return new UriBuilder(url) { Scheme = "ws" }.Uri;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return context.Response.WriteAsync("not a test page");
    }
}
