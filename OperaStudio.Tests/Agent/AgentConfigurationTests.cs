using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// The agent as a fresh install has it: no model key. The shared service keeps the default configuration (Gemini,
/// no key), so these run against it: the panel works, and the chat says exactly how to configure a model.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class AgentConfigurationTests(BrowserServiceFixture service)
{
    [Fact]
    public async Task Message_WithoutAModelKey_AnswersWithTheConfigurationSteps_AndTheSessionKeepsWorking()
    {
        var options = service.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
        Assert.SkipWhen(options.HasApiKey, "A model key is configured on this machine (GEMINI_API_KEY or Agent:ApiKey); the default has none.");
        await using var session = await AgentClient.CreateAsync(service.Http);

        var run = await session.SendAsync("Open example.com");
        var state = await session.WaitForEndAsync(run.Id);
        var snapshot = await session.ActAsync("snapshot");

        Assert.Equal("failed", state.Run!.State);
        Assert.False(state.Model.Configured);
        Assert.Equal("Gemini", state.Model.Provider);
        Assert.Equal("gemini-2.5-flash", state.Model.Model);
        Assert.Equal(AgentOptions.GeminiEndpoint, state.Model.Endpoint);
        var notice = state.Messages[^1];
        Assert.Equal("notice", notice.Role);
        Assert.Contains("GEMINI_API_KEY", notice.Text, StringComparison.Ordinal);
        Assert.Contains("dotnet user-secrets set \"Agent:ApiKey\"", notice.Text, StringComparison.Ordinal);
        Assert.Contains("Agent__Provider=OpenAICompatible", notice.Text, StringComparison.Ordinal);
        Assert.Equal(state.Model.SetupHint, notice.Text);
        Assert.Equal("user", state.Control.Holder);
        Assert.Contains("New tab", snapshot.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentState_OfAnUnknownSession_Is404()
    {
        using var response = await service.Http.GetAsync("/api/sessions/no-such-session/agent");
        using var message = await service.Http.PostAsJsonAsync("/api/sessions/no-such-session/agent/messages", new AgentMessageRequest("hi"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, message.StatusCode);
    }
}
