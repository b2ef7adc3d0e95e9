using MudBlazor.Services;
using OperaStudio.Web.Components;
using OperaStudio.Web.Services;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddHttpClient<BrowserServiceClient>(http => http.BaseAddress = BrowserServiceClient.BaseAddress);

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseAntiforgery();
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapDefaultEndpoints();

app.Run();


/// <summary>Entry point; the tests' WebApplicationFactory starts it.</summary>
public partial class Program;
