using System.ComponentModel;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// Semantic Kernel's OpenAI connector, wired as the service wires it (<see cref="ChatModel"/>), against the scripted
/// OpenAI-compatible server: automatic function calling with plain and streamed answers, and how model failures
/// (an HTTP error, no answer in time) are described. No browser involved.
/// </summary>
public sealed class ModelConnectorTests : IAsyncLifetime
{
    private ScriptedModelServer _model = null!;

    public async ValueTask InitializeAsync() => _model = await ScriptedModelServer.StartAsync();

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AutoFunctionCalling_CallsTheFunction_AndAnswersWithItsResult(bool streaming)
    {
        _model.Plan(new ScriptedReply.Answer(null, [new ToolCall("math-add", """{"a": 2, "b": 3}""")]), ScriptedReply.Say("2 + 3 is 5."));
        var (kernel, chat, _) = Connect();
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var history = new ChatHistory("You add.");
        history.AddUserMessage("What is 2 + 3?");

        string answer;
        if (streaming)
        {
            var parts = new List<string>();
            await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel))
            {
                parts.Add(chunk.Content ?? "");
            }

            answer = string.Concat(parts);
        }
        else
        {
            answer = (await chat.GetChatMessageContentAsync(history, settings, kernel)).Content!;
        }

        Assert.Equal("2 + 3 is 5.", answer);
        Assert.Equal(2, _model.Requests.Count);
        Assert.All(_model.Requests, r => Assert.Equal(streaming, r.Stream));
        Assert.Equal(["math-add"], _model.Requests[0].ToolNames);
        Assert.Equal("5", _model.Requests[1].LastToolResult);
    }

    [Fact]
    public async Task SlowModel_EndsWithATimeoutMessage()
    {
        _model.Plan(ScriptedReply.HangUp());
        var (kernel, chat, runner) = Connect(timeoutSeconds: 1);
        var history = new ChatHistory("Hi");
        history.AddUserMessage("Hello?");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => chat.GetChatMessageContentAsync(history, kernel: kernel));

        Assert.Contains("did not answer within 1 s", runner.ModelFailure(failure), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ModelHttpError_IsDescribedWithTheStatusAndTheEndpointsOwnMessage(bool streaming)
    {
        _model.Plan(ScriptedReply.Error(401, "Incorrect API key provided"));
        var (kernel, chat, runner) = Connect();
        var history = new ChatHistory("Hi");
        history.AddUserMessage("Hello?");

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            if (streaming)
            {
                await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(history, kernel: kernel))
                {
                }
            }
            else
            {
                await chat.GetChatMessageContentAsync(history, kernel: kernel);
            }
        });
        var message = runner.ModelFailure(failure);

        Assert.Contains("HTTP 401", message, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", message, StringComparison.Ordinal);
        Assert.Contains("Agent:ApiKey", message, StringComparison.Ordinal);
    }

    private (Kernel Kernel, IChatCompletionService Chat, AgentRunner Runner) Connect(int timeoutSeconds = 30)
    {
        var options = Options.Create(new AgentOptions
        {
            Provider = ModelProvider.OpenAICompatible,
            BaseUrl = _model.BaseUrl.ToString(),
            Model = "scripted",
            MaxRetries = 0,
            RequestTimeoutSeconds = timeoutSeconds,
        });
        var model = new ChatModel(options, NullLoggerFactory.Instance);
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Plugins.AddFromObject(new MathPlugin(), "math");
        return (kernel, model.Service, new AgentRunner(model, options, NullLogger<AgentRunner>.Instance));
    }

    private sealed class MathPlugin
    {
        [KernelFunction("add"), Description("Adds two numbers.")]
        public static int Add([Description("The first number.")] int a, [Description("The second number.")] int b) => a + b;
    }
}
