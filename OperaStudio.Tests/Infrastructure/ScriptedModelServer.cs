using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// An OpenAI-compatible chat completions endpoint on loopback that replays a planned conversation: each request
/// takes the next planned reply (assistant text and/or tool calls, an HTTP error, or a hang until the client gives
/// up), answered as JSON or, for <c>stream: true</c>, as server-sent events in OpenAI's chunk format. Every request
/// body is recorded for assertions. With nothing planned it answers 500, so a test that under-plans fails loudly.
/// </summary>
public sealed class ScriptedModelServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<Func<RecordedRequest, ScriptedReply>> _plan = new();
    private readonly List<RecordedRequest> _requests = [];
    private WebApplication? _app;
    private int _ids;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests that found no planned reply.</summary>
    public int Unplanned { get; private set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<ScriptedModelServer> StartAsync()
    {
        var server = new ScriptedModelServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        server._app = builder.Build();
        server._app.MapPost("/v1/chat/completions", server.HandleAsync);
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Urls.First() + "/v1");
        return server;
    }

    /// <summary>Forgets the plan and the recorded requests (each test plans its own conversation).</summary>
    public void Reset()
    {
        _plan.Clear();
        lock (_requests)
        {
            _requests.Clear();
        }

        Unplanned = 0;
    }

    public void Plan(params ScriptedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _plan.Enqueue(_ => reply);
        }
    }

    /// <summary>A reply computed from the request (e.g. a ref or a tab id read from the last tool result).</summary>
    public void Plan(Func<RecordedRequest, ScriptedReply> reply) => _plan.Enqueue(reply);

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived.</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(int count, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < until)
        {
            var requests = Requests;
            if (requests.Count >= count)
            {
                return requests[count - 1];
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The model got {Requests.Count} request(s), expected {count}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var request = new RecordedRequest(body, JsonNode.Parse(body)!.AsObject(), context.Request.Headers.Authorization.ToString());
        lock (_requests)
        {
            _requests.Add(request);
        }

        if (!_plan.TryDequeue(out var next))
        {
            Unplanned++;
            await WriteError(context, 500, "The scripted model has no more planned replies.");
            return;
        }

        switch (next(request))
        {
            case ScriptedReply.Failure failure:
                await WriteError(context, failure.Status, failure.Message);
                return;
            case ScriptedReply.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    request.MarkAborted();
                }

                return;
            case ScriptedReply.Answer answer when request.Stream:
                await WriteStreamAsync(context, answer);
                return;
            case ScriptedReply.Answer answer:
                await WriteJsonAsync(context, answer);
                return;
        }
    }

    private static async Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { error = new { message, type = "server_error", code = status } });
    }

    private async Task WriteJsonAsync(HttpContext context, ScriptedReply.Answer answer)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = answer.Text };
        if (answer.Calls.Count > 0)
        {
            message["tool_calls"] = new JsonArray(answer.Calls.Select(call => (JsonNode)new JsonObject
            {
                ["id"] = call.Id ?? NewCallId(),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
            }).ToArray());
        }

        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-{Interlocked.Increment(ref _ids)}",
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = "scripted",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = answer.Calls.Count > 0 ? "tool_calls" : "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completion.ToJsonString());
    }

    /// <summary>OpenAI's streaming shape: text in a few deltas, each tool call's name first and its arguments in pieces.</summary>
    private async Task WriteStreamAsync(HttpContext context, ScriptedReply.Answer answer)
    {
        var id = $"chatcmpl-{Interlocked.Increment(ref _ids)}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";

        async Task Chunk(JsonObject delta, string? finish = null)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = "scripted",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
            };
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }

        await Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" });
        if (answer.Text is { Length: > 0 } text)
        {
            foreach (var piece in Pieces(text, 3))
            {
                await Chunk(new JsonObject { ["content"] = piece });
            }
        }

        for (var index = 0; index < answer.Calls.Count; index++)
        {
            var call = answer.Calls[index];
            await Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = index,
                    ["id"] = call.Id ?? NewCallId(),
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = "" },
                }),
            });
            foreach (var piece in Pieces(call.Arguments, 2))
            {
                await Chunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = index, ["function"] = new JsonObject { ["arguments"] = piece } }),
                });
            }
        }

        await Chunk(new JsonObject(), answer.Calls.Count > 0 ? "tool_calls" : "stop");
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private string NewCallId() => $"call_{Interlocked.Increment(ref _ids)}";

    private static IEnumerable<string> Pieces(string text, int count)
    {
        var size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)count));
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }
}

/// <summary>What the scripted model answers to one request.</summary>
public abstract record ScriptedReply
{
    /// <summary>The plugin name Semantic Kernel puts before each function: the model sees <c>browser-click</c>.</summary>
    public const string Plugin = "browser";

    public static Answer Say(string text) => new(text, []);

    /// <summary>Calls one browser tool (by its short name) with arguments given as an object.</summary>
    public static Answer Call(string tool, object? arguments = null, string? text = null) =>
        new(text, [new ToolCall($"{Plugin}-{tool}", JsonSerializer.Serialize(arguments ?? new { }))]);

    public static Answer CallTogether(params (string Tool, object Arguments)[] calls) =>
        new(null, [.. calls.Select(c => new ToolCall($"{Plugin}-{c.Tool}", JsonSerializer.Serialize(c.Arguments)))]);

    public static Failure Error(int status, string message = "scripted failure") => new(status, message);

    /// <summary>Never answers: holds the request open until the client gives up (cancellation, timeout).</summary>
    public static Hang HangUp() => new();

    public sealed record Answer(string? Text, IReadOnlyList<ToolCall> Calls) : ScriptedReply;

    public sealed record Failure(int Status, string Message) : ScriptedReply;

    public sealed record Hang : ScriptedReply;
}

public sealed record ToolCall(string Name, string Arguments, string? Id = null);

/// <summary>One request the model received, with helpers to read the conversation it carried.</summary>
public sealed class RecordedRequest(string body, JsonObject json, string authorization)
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Body { get; } = body;

    public JsonObject Json { get; } = json;

    public string Authorization { get; } = authorization;

    public bool Stream => Json["stream"]?.GetValue<bool>() == true;

    public Task Aborted => _aborted.Task;

    public JsonArray Messages => Json["messages"]!.AsArray();

    public string SystemPrompt => Messages.First(m => m!["role"]!.GetValue<string>() is "system" or "developer")!["content"]!.ToString();

    /// <summary>The function names offered to the model, as it sees them.</summary>
    public IReadOnlyList<string> ToolNames =>
        Json["tools"]?.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList() ?? [];

    public JsonObject Tool(string name) =>
        Json["tools"]!.AsArray().Select(t => t!["function"]!.AsObject()).First(f => f["name"]!.GetValue<string>() == name);

    /// <summary>The contents of the tool messages (function results) in this request, in order.</summary>
    public IReadOnlyList<string> ToolResults =>
        Messages.Where(m => m!["role"]!.GetValue<string>() == "tool").Select(m => Content(m!)).ToList();

    public string LastToolResult => ToolResults[^1];

    public string LastUserMessage => Content(Messages.Last(m => m!["role"]!.GetValue<string>() == "user")!);

    internal void MarkAborted() => _aborted.TrySetResult();

    private static string Content(JsonNode message) => message["content"] switch
    {
        JsonValue value => value.ToString(),
        JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.ToString())),
        _ => "",
    };
}
