using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OperaStudio.Bench.Report;

namespace OperaStudio.Bench;

// Issue 15: what a CDP command costs through /cdp/{id} over a direct connection to the same Chromium.
public sealed partial class BenchRun
{
    /// <summary>
    /// 8. <c>Runtime.evaluate "1+1"</c> on a session's page, over a flatten-mode CDP session attached through the web
    /// app's <c>/cdp/{id}</c> (proxy, token, the relay's filtering) and over one attached directly to the same Chromium's
    /// DevTools port (found from its command line), alternating command by command so both see the same load.
    /// </summary>
    private async Task MeasureCdpAsync()
    {
        var page = new Uri(_pages.Static, $"?cdp-bench={Guid.NewGuid():N}");
        var session = await _ours.CreateSessionAsync(page);
        try
        {
            var endpoint = new Uri($"ws://{_ours.Web.Authority}/cdp/{session.Id}");
            using var ours = await CdpSocket.ConnectAsync(endpoint, _ours.WebHttp.DefaultRequestHeaders.Authorization!.ToString());
            using var direct = await CdpSocket.ConnectAsync(await DirectDevToolsAsync(page) ?? throw new InvalidOperationException(
                "No Chromium with a DevTools port shows the bench's page: is Cdp:Enabled off?"), authorization: null);
            var oursSession = await ours.AttachAsync(page);
            var directSession = await direct.AttachAsync(page);

            var through = new List<double>();
            var straight = new List<double>();
            for (var i = 0; i < settings.AgentSamples * 5 + 10; i++)
            {
                await PauseAsync(5, 20);
                var clock = Stopwatch.StartNew();
                await ours.EvaluateAsync(oursSession);
                var oursMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                await direct.EvaluateAsync(directSession);
                if (i >= 10)
                {
                    through.Add(oursMs);
                    straight.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            (_results.CdpCommand, _results.CdpDirectCommand) = (Stat.Of(through), Stat.Of(straight));
            Log($"  Runtime.evaluate p50: /cdp {_results.CdpCommand.P50:0.00} ms, direct {_results.CdpDirectCommand.P50:0.00} ms; "
                + $"p95 {_results.CdpCommand.P95:0.00} / {_results.CdpDirectCommand.P95:0.00} ms");
        }
        finally
        {
            await _ours.CloseSessionAsync(session.Id);
        }
    }

    /// <summary>The DevTools WebSocket of the Chromium that shows <paramref name="page"/> (each pooled one writes DevToolsActivePort).</summary>
    private static async Task<Uri?> DirectDevToolsAsync(Uri page)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsDigit)))
        {
            string[] arguments;
            try
            {
                arguments = (await File.ReadAllTextAsync($"/proc/{dir}/cmdline")).Split('\0');
            }
            catch (IOException)
            {
                continue;
            }

            if (!arguments.Contains("--remote-debugging-port=0")
                || arguments.FirstOrDefault(a => a.StartsWith("--user-data-dir=", StringComparison.Ordinal)) is not { } dataDir
                || Path.Combine(dataDir["--user-data-dir=".Length..], "DevToolsActivePort") is var file && !File.Exists(file)
                || (await File.ReadAllLinesAsync(file)) is not [var port, var path, ..])
            {
                continue;
            }

            var url = new Uri($"ws://127.0.0.1:{port}{path}");
            using var probe = await CdpSocket.ConnectAsync(url, authorization: null);
            if (await probe.FindTargetAsync(page) is not null)
            {
                return url;
            }
        }

        return null;
    }

    /// <summary>A bare CDP client: one command at a time, events skipped.</summary>
    private sealed class CdpSocket : IDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _id;

        public static async Task<CdpSocket> ConnectAsync(Uri url, string? authorization)
        {
            var cdp = new CdpSocket();
            if (authorization is not null)
            {
                cdp._socket.Options.SetRequestHeader("Authorization", authorization);
            }

            await cdp._socket.ConnectAsync(url, CancellationToken.None);
            return cdp;
        }

        public async Task<string?> FindTargetAsync(Uri page)
        {
            var targets = await SendAsync("Target.getTargets", new { }, null);
            return targets.GetProperty("targetInfos").EnumerateArray()
                .FirstOrDefault(t => t.GetProperty("url").GetString() == page.ToString()) is { ValueKind: JsonValueKind.Object } found
                ? found.GetProperty("targetId").GetString()
                : null;
        }

        public async Task<string> AttachAsync(Uri page)
        {
            var target = await FindTargetAsync(page) ?? throw new InvalidOperationException($"No target at {page}.");
            var attached = await SendAsync("Target.attachToTarget", new { targetId = target, flatten = true }, null);
            return attached.GetProperty("sessionId").GetString()!;
        }

        public async Task EvaluateAsync(string sessionId)
        {
            var result = await SendAsync("Runtime.evaluate", new { expression = "1+1", returnByValue = true }, sessionId);
            if (result.GetProperty("result").GetProperty("value").GetInt32() != 2)
            {
                throw new InvalidOperationException($"Runtime.evaluate answered {result}.");
            }
        }

        public void Dispose() => _socket.Dispose();

        private async Task<JsonElement> SendAsync(string method, object parameters, string? sessionId)
        {
            var id = ++_id;
            var message = sessionId is null
                ? JsonSerializer.Serialize(new { id, method, @params = parameters })
                : JsonSerializer.Serialize(new { id, method, @params = parameters, sessionId });
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            while (true)
            {
                using var text = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(_buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                    text.Write(_buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);
                var root = JsonDocument.Parse(text.ToArray()).RootElement;
                if (root.TryGetProperty("id", out var answered) && answered.GetInt32() == id)
                {
                    return root.TryGetProperty("error", out var error)
                        ? throw new InvalidOperationException($"{method} failed: {error}")
                        : root.GetProperty("result").Clone();
                }
            }
        }
    }
}
