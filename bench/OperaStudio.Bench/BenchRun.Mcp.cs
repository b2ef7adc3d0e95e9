using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OperaStudio.Bench.Report;

namespace OperaStudio.Bench;

// Issue 15: what an MCP tool call costs over the same call through the actions API.
public sealed partial class BenchRun
{
    /// <summary>
    /// 7. <c>get_content {format: text}</c> on the shop page, as an MCP client calls it (streamable HTTP, a session
    /// attached to once) and through <c>POST /api/sessions/{id}/actions</c>, both through the web app's origin with the
    /// same token, alternating call by call so both see the same load. Both run the same tool on the same tab.
    /// </summary>
    private async Task MeasureMcpAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Agent);
        try
        {
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(_ours.Web, "/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = _ours.WebHttp.DefaultRequestHeaders.Authorization!.ToString() },
            }), new McpClientOptions { ClientInfo = new Implementation { Name = "opera-bench", Version = "1.0" } });
            await McpCallAsync(client, "attach_session", new() { ["session_id"] = session.Id });

            var mcp = new List<double>();
            var actions = new List<double>();
            Dictionary<string, object?> arguments = new() { ["format"] = "text" };
            for (var i = 0; i < settings.AgentSamples + 3; i++)
            {
                await PauseAsync(20, 60);
                var clock = Stopwatch.StartNew();
                var text = await McpCallAsync(client, "get_content", arguments);
                var mcpMs = clock.Elapsed.TotalMilliseconds;
                await PauseAsync(20, 60);
                clock.Restart();
                using (var response = await _ours.WebHttp.PostAsJsonAsync($"/api/sessions/{session.Id}/actions", new { tool = "get_content", args = new { format = "text" } }))
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    if (!response.IsSuccessStatusCode || !body.GetProperty("ok").GetBoolean())
                    {
                        throw new InvalidOperationException($"get_content failed ({(int)response.StatusCode}): {body}");
                    }
                }

                var actionsMs = clock.Elapsed.TotalMilliseconds;
                _results.McpContentChars = text.Length;
                if (i >= 3)
                {
                    mcp.Add(mcpMs);
                    actions.Add(actionsMs);
                }
            }

            (_results.McpCall, _results.McpActionsCall) = (Stat.Of(mcp), Stat.Of(actions));
            Log($"  get_content p50: MCP {_results.McpCall.P50:0.0} ms, actions API {_results.McpActionsCall.P50:0.0} ms");
        }
        finally
        {
            await _ours.CloseSessionAsync(session.Id);
        }
    }

    private static async Task<string> McpCallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        return result.IsError == true ? throw new InvalidOperationException($"MCP {tool} failed: {text}") : text;
    }
}
