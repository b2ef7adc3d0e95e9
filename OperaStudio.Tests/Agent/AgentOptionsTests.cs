using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Safety;

namespace OperaStudio.Tests.Agent;

/// <summary>The agent's options as configuration binds them: validation, the key lookup, and the approval policy.</summary>
public sealed class AgentOptionsTests
{
    [Theory]
    [InlineData("execute_script", "", "execute_script")]
    [InlineData("click", "password_submit", "password_submit")]
    [InlineData("click", "", null)]
    [InlineData("navigate", "leave_origins", "leave_origins")]
    public void Approvals_ByDefault_AskWhenASensitiveStepIsDetected(string tool, string detected, string? expected)
    {
        var policy = Policy();

        Assert.Equal(expected, policy.Requires(tool, detected.Length == 0 ? (tool == "execute_script" ? ["execute_script"] : []) : [detected]));
    }

    [Fact]
    public void Approvals_PerAction_AlwaysAndNeverOverrideDetection()
    {
        var policy = Policy(("Agent:Approvals:click", "Always"), ("Agent:Approvals:execute_script", "Never"), ("Agent:Approvals:download", "Never"));

        Assert.Equal("always", policy.Requires("click", []));
        Assert.Null(policy.Requires("execute_script", ["execute_script"]));
        Assert.Null(policy.Requires("navigate", ["download"]));
        Assert.Equal("password_submit", policy.Requires("press", ["download", "password_submit"]));
    }

    [Fact]
    public void AllowedOrigins_LeavingThemIsDetected()
    {
        var policy = Policy(("Agent:AllowedOrigins:0", "https://shop.example"));

        Assert.False(policy.LeavesAllowedOrigins(new Uri("https://shop.example/cart")));
        Assert.True(policy.LeavesAllowedOrigins(new Uri("https://evil.example/")));
        Assert.False(Policy().LeavesAllowedOrigins(new Uri("https://anywhere.example/")));
    }

    [Theory]
    [InlineData("Agent:Provider", "OpenAICompatible", "needs Agent:BaseUrl")]
    [InlineData("Agent:Approvals:teleport", "Always", "unknown action 'teleport'")]
    [InlineData("Agent:BaseUrl", "ftp://x", "not an http(s) URL")]
    [InlineData("Agent:MaxSteps", "0", "MaxSteps")]
    public void InvalidSettings_FailValidationWithTheReason(string key, string value, string reason)
    {
        var services = Services((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AgentOptions>>().Value);

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiKey_ComesFromTheProvidersVariable_WhenAgentApiKeyIsEmpty()
    {
        var gemini = Services(("GEMINI_API_KEY", "g-key"), ("OPENAI_API_KEY", "o-key")).GetRequiredService<IOptions<AgentOptions>>().Value;
        var openAI = Services(("Agent:Provider", "OpenAI"), ("OPENAI_API_KEY", "o-key")).GetRequiredService<IOptions<AgentOptions>>().Value;
        var compatible = Services(("Agent:Provider", "OpenAICompatible"), ("Agent:BaseUrl", "http://127.0.0.1:1/v1"), ("Agent:Model", "m"), ("OPENAI_API_KEY", "o-key"))
            .GetRequiredService<IOptions<AgentOptions>>().Value;
        var explicitKey = Services(("Agent:ApiKey", "a-key"), ("GEMINI_API_KEY", "g-key")).GetRequiredService<IOptions<AgentOptions>>().Value;

        Assert.Equal("g-key", gemini.ApiKey);
        Assert.Equal("o-key", openAI.ApiKey);
        Assert.Null(compatible.ApiKey);
        Assert.Equal("a-key", explicitKey.ApiKey);
    }

    private static ApprovalPolicy Policy(params (string Key, string Value)[] settings) =>
        new(Services(settings).GetRequiredService<IOptions<AgentOptions>>());

    /// <summary>The options wired as <c>AddAgent</c> wires them, over in-memory configuration.</summary>
    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.SectionName).ValidateDataAnnotations();
        services.AddSingleton<IPostConfigureOptions<AgentOptions>, AgentOptionsSetup>();
        return services.BuildServiceProvider();
    }
}
