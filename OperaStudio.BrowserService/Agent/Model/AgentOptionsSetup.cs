using Microsoft.Extensions.Options;

namespace OperaStudio.BrowserService.Agent.Model;

/// <summary>
/// Finds the model key when <c>Agent:ApiKey</c> is not set: the provider's conventional variable, from the
/// configuration, so user-secrets (Development) come before the environment. The feature reads options only.
/// </summary>
internal sealed class AgentOptionsSetup(IConfiguration configuration) : IPostConfigureOptions<AgentOptions>
{
    public const string GeminiKeyVariable = "GEMINI_API_KEY";
    public const string OpenAIKeyVariable = "OPENAI_API_KEY";

    public void PostConfigure(string? name, AgentOptions options)
    {
        if (options.HasApiKey)
        {
            return;
        }

        // An OpenAI key is never sent to a third-party compatible server unless configured for it explicitly.
        var variable = KeyVariable(options.Provider);
        if (variable is not null && configuration[variable] is { Length: > 0 } key)
        {
            options.ApiKey = key;
        }
    }

    public static string? KeyVariable(ModelProvider provider) => provider switch
    {
        ModelProvider.Gemini => GeminiKeyVariable,
        ModelProvider.OpenAI => OpenAIKeyVariable,
        _ => null,
    };
}
