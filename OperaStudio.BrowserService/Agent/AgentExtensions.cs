using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;

namespace OperaStudio.BrowserService.Agent;

public static class AgentExtensions
{
    /// <summary>The agent: model options and wiring, the per-session agent state, the runner, the approval policy.</summary>
    public static WebApplicationBuilder AddAgent(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AgentOptions>()
            .BindConfiguration(AgentOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IPostConfigureOptions<AgentOptions>, AgentOptionsSetup>();
        builder.Services.AddSingleton<ChatModel>();
        builder.Services.AddSingleton<ApprovalPolicy>();
        builder.Services.AddSingleton<AgentSessions>();
        builder.Services.AddSingleton<AgentRunner>();

        // Semantic Kernel's own spans and metrics: one span per model call (model, tokens, finish reason) and one per
        // function call. Message contents stay out of telemetry (page text and secrets would otherwise reach it).
        AppContext.SetSwitch("Microsoft.SemanticKernel.Experimental.GenAI.EnableOTelDiagnostics", true);
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource("Microsoft.SemanticKernel*"))
            .WithMetrics(metrics => metrics.AddMeter("Microsoft.SemanticKernel*"));
        return builder;
    }
}
