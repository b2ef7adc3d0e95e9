using OperaStudio.BrowserService.Agent;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Streaming;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDataStores();
builder.AddBrowsers();
builder.AddSessions();
builder.AddStreaming();
builder.AddAgent();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapSessionsApi();
app.MapLiveViewHub();
app.MapAgentApi();

app.Run();

/// <summary>Entry point; the tests' WebApplicationFactory starts it.</summary>
public partial class Program;
