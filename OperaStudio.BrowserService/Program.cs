using OperaStudio.BrowserService.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDataStores();
builder.AddUrlPolicy();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();


/// <summary>Entry point; the tests' WebApplicationFactory starts it.</summary>
public partial class Program;
