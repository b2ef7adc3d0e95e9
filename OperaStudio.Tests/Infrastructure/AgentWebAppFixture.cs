extern alias web;

using Microsoft.AspNetCore.Mvc.Testing;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The web app in front of the agent's browser service (<see cref="AgentServiceFixture"/>, whose model is the
/// scripted one), for the chat panel's UI tests. A class fixture, like <see cref="WebAppFixture"/>.
/// </summary>
public sealed class AgentWebAppFixture(AgentServiceFixture service) : IAsyncLifetime, IWebAppUnderTest
{
    private WebApplicationFactory<web::Program>? _factory;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public AgentServiceFixture Service => service;

    public SessionManager Sessions => service.Sessions;

    public ValueTask InitializeAsync()
    {
        _factory = WebAppFixture.Start(service.BaseAddress.ToString());
        BaseAddress = BrowserServiceHost.ServerAddress(_factory.Services);
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(20_000);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return ValueTask.CompletedTask;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}
