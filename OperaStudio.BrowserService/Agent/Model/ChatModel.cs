using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Model;

/// <summary>
/// The configured model behind Semantic Kernel's OpenAI connector: Gemini's OpenAI-compatible endpoint, OpenAI, or
/// any compatible server. One client for the service (the HTTP pipeline is shared); without a key it is not
/// configured, and <see cref="SetupHint"/> says exactly what to set.
/// </summary>
public sealed class ChatModel
{
    private readonly AgentOptions _options;
    private readonly Lazy<IChatCompletionService> _service;

    public ChatModel(IOptions<AgentOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        _service = new Lazy<IChatCompletionService>(() => Create(_options, loggers));
    }

    public bool IsConfigured => !_options.NeedsApiKey || _options.HasApiKey;

    public IChatCompletionService Service => IsConfigured
        ? _service.Value
        : throw new InvalidOperationException(SetupHint);

    public AgentModelDto Describe() => new(
        _options.Provider.ToString(),
        _options.ResolvedModel,
        _options.ResolvedEndpoint?.ToString() ?? "https://api.openai.com/v1",
        IsConfigured,
        IsConfigured ? null : SetupHint);

    /// <summary>What to set, worded for the person who reads it in the chat panel.</summary>
    public string SetupHint => _options.Provider switch
    {
        ModelProvider.OpenAI =>
            "No model is configured: the agent needs an OpenAI API key. Set one, then restart the browser service: "
            + "the environment variable OPENAI_API_KEY=<key> (or Agent__ApiKey=<key>), or, in Development, "
            + "`dotnet user-secrets set \"Agent:ApiKey\" \"<key>\" --project OperaStudio.BrowserService`.",
        _ =>
            "No model is configured: the agent needs a Gemini API key (free at https://aistudio.google.com/apikey). "
            + "Set one, then restart the browser service: the environment variable GEMINI_API_KEY=<key> (or Agent__ApiKey=<key>), "
            + "or, in Development, `dotnet user-secrets set \"Agent:ApiKey\" \"<key>\" --project OperaStudio.BrowserService`. "
            + "To use another provider: Agent__Provider=OpenAI with OPENAI_API_KEY, or Agent__Provider=OpenAICompatible with "
            + "Agent__BaseUrl=http://127.0.0.1:11434/v1 and Agent__Model=<model> for Ollama, vLLM or LM Studio.",
    };

    private static OpenAIChatCompletionService Create(AgentOptions options, ILoggerFactory loggers)
    {
        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
            UserAgentApplicationId = "opera-studio",
        };
        if (options.ResolvedEndpoint is { } endpoint)
        {
            clientOptions.Endpoint = endpoint;
        }

        // Local compatible servers ignore the key, but the client requires one.
        var client = new OpenAIClient(new ApiKeyCredential(options.HasApiKey ? options.ApiKey! : "no-key"), clientOptions);
        return new OpenAIChatCompletionService(options.ResolvedModel, client, loggers);
    }
}
