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
        return builder;
    }
}
