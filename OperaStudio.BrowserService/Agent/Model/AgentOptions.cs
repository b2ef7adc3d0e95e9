using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Agent.Model;

public enum ModelProvider
{
    /// <summary>Google Gemini through its OpenAI-compatible endpoint.</summary>
    Gemini,

    OpenAI,

    /// <summary>Any server that speaks OpenAI's chat completions (Ollama, vLLM, LM Studio), by <see cref="AgentOptions.BaseUrl"/>.</summary>
    OpenAICompatible,
}

/// <summary>When a step waits for the user's approval.</summary>
public enum ApprovalMode
{
    /// <summary>When the step is detected as sensitive (a script, a password form submit, a download, leaving the allowed origins).</summary>
    Auto,

    /// <summary>Every call of this action.</summary>
    Always,

    /// <summary>Never, even when detected as sensitive.</summary>
    Never,
}

/// <summary>The agent: model provider, limits, approvals. Section <c>Agent</c>.</summary>
public sealed class AgentOptions : IValidatableObject
{
    public const string SectionName = "Agent";

    public const string GeminiEndpoint = "https://generativelanguage.googleapis.com/v1beta/openai/";

    public ModelProvider Provider { get; set; } = ModelProvider.Gemini;

    /// <summary>The model id; empty picks the provider's default (gemini-2.5-flash, gpt-4.1-mini).</summary>
    public string? Model { get; set; }

    /// <summary>The OpenAI-compatible base URL (…/v1). Required for OpenAICompatible; overrides the provider's otherwise.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// The provider's key. When empty: <c>GEMINI_API_KEY</c> (Gemini) or <c>OPENAI_API_KEY</c> (OpenAI) from the
    /// configuration (user-secrets in Development, then the environment). OpenAI-compatible servers may need none.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Tool calls one run may make; the run stops when it would make one more.</summary>
    [Range(1, 500)]
    public int MaxSteps { get; set; } = 25;

    /// <summary>How long one model request may take before the run ends with a timeout.</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 120;

    /// <summary>Retries of a failed model request (429, 5xx, network) before the run ends with the error.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Stream the model's answers (text arrives token by token); off uses plain requests.</summary>
    public bool Streaming { get; set; } = true;

    public double? Temperature { get; set; }

    /// <summary>Per action (a tool name, or execute_script, password_submit, download, leave_origins): Auto, Always or Never.</summary>
    public Dictionary<string, ApprovalMode> Approvals { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a sensitive step waits for the user's decision before it counts as denied.</summary>
    [Range(1, 86_400)]
    public int ApprovalTimeoutSeconds { get; set; } = 300;

    /// <summary>Origins (https://example.com) the agent may use freely; going anywhere else needs approval. Empty: no such limit.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser action (a click waiting for its element, a navigation) may take.</summary>
    [Range(1, 600)]
    public int ToolTimeoutSeconds { get; set; } = 30;

    /// <summary>The largest snapshot the model receives; bigger pages are trimmed to fit.</summary>
    [Range(1_000, 1_000_000)]
    public int MaxSnapshotChars { get; set; } = 16_000;

    /// <summary>The largest page text, HTML or script result the model receives.</summary>
    [Range(1_000, 1_000_000)]
    public int MaxContentChars { get; set; } = 20_000;

    public string ResolvedModel => !string.IsNullOrWhiteSpace(Model) ? Model.Trim() : Provider switch
    {
        ModelProvider.Gemini => "gemini-2.5-flash",
        ModelProvider.OpenAI => "gpt-4.1-mini",
        _ => "",
    };

    /// <summary>The endpoint requests go to; null means the OpenAI library's default (api.openai.com).</summary>
    public Uri? ResolvedEndpoint => !string.IsNullOrWhiteSpace(BaseUrl) ? new Uri(BaseUrl.Trim()) : Provider switch
    {
        ModelProvider.Gemini => new Uri(GeminiEndpoint),
        _ => null,
    };

    /// <summary>OpenAI-compatible servers run locally without keys; Gemini and OpenAI need one.</summary>
    public bool NeedsApiKey => Provider != ModelProvider.OpenAICompatible;

    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);

    public ApprovalMode ApprovalFor(string action) => Approvals.TryGetValue(action, out var mode) ? mode : ApprovalMode.Auto;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)
            && (!Uri.TryCreate(BaseUrl.Trim(), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult($"Agent:BaseUrl '{BaseUrl}' is not an http(s) URL, e.g. http://127.0.0.1:11434/v1.", [nameof(BaseUrl)]);
        }

        if (Provider == ModelProvider.OpenAICompatible && string.IsNullOrWhiteSpace(BaseUrl))
        {
            yield return new ValidationResult("Agent:Provider OpenAICompatible needs Agent:BaseUrl, e.g. http://127.0.0.1:11434/v1 for Ollama.", [nameof(BaseUrl)]);
        }

        if (Provider == ModelProvider.OpenAICompatible && string.IsNullOrWhiteSpace(Model))
        {
            yield return new ValidationResult("Agent:Provider OpenAICompatible needs Agent:Model (the model id the server serves).", [nameof(Model)]);
        }

        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUrl) || originUrl.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"Agent:AllowedOrigins entry '{origin}' is not an origin like https://example.com.", [nameof(AllowedOrigins)]);
            }
        }

        foreach (var action in Approvals.Keys.Where(action => !Safety.ApprovalPolicy.KnownActions.Contains(action)))
        {
            yield return new ValidationResult(
                $"Agent:Approvals has an unknown action '{action}'. Known: {string.Join(", ", Safety.ApprovalPolicy.KnownActions.Order())}.",
                [nameof(Approvals)]);
        }
    }
}
