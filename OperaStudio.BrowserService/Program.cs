using OperaStudio.BrowserService.Agent;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Mcp;
using OperaStudio.BrowserService.Nodes;
using OperaStudio.BrowserService.Operations;
using OperaStudio.BrowserService.Recording;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;
using OperaStudio.BrowserService.Streaming;
using OperaStudio.BrowserService.Workflows;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCallerIdentity();
builder.AddDataStores();
builder.AddUrlPolicy();
builder.AddBrowsers();
builder.AddHistory();
builder.AddNodes();
builder.AddSessions();
builder.AddStreaming();
builder.AddRecording();
builder.AddOperations();
builder.AddAgent();
builder.AddWorkflows();
builder.AddMcpEndpoint();
builder.AddCdpEndpoint();
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = RequestProblems.Describe);
// A body that cannot be read throws in every environment (not only Development), so the handler below can say why.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

var app = builder.Build();

app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // Malformed requests (bad JSON, a broken multipart form) are the caller's error, not ours.
    StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
});
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapSessionsApi();
app.MapHistoryApi();
app.MapOperationsApi();
app.MapLiveViewHub();
app.MapAgentApi();
app.MapApiTokensApi();
app.MapSharingApi();
app.MapRecordingsApi();
app.MapWorkflows();
app.MapMcpEndpoint();
app.MapCdpEndpoint();

app.Run();

/// <summary>Entry point; the tests' WebApplicationFactory starts it.</summary>
public partial class Program;
