using MudBlazor;
using MudBlazor.Services;
using OperaStudio.Web.Components;
using OperaStudio.Web.Identity;
using OperaStudio.Web.Proxy;
using OperaStudio.Web.Services;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAccounts();
builder.AddBrowserServiceProxy();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices(mud =>
{
    mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
    mud.SnackbarConfiguration.SnackbarVariant = Variant.Outlined;
    mud.SnackbarConfiguration.MaximumOpacity = 100;
});
builder.Services.AddBrowserServiceClient();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseNotFoundPage("/not-found");
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();
app.MapStaticAssets().AllowAnonymous();
app.MapBrowserServiceProxy();
app.MapAccountEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapDefaultEndpoints();

app.Run();


/// <summary>Entry point; the tests' WebApplicationFactory starts it.</summary>
public partial class Program;
