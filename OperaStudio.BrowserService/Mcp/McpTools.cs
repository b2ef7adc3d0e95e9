using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OperaStudio.BrowserService.Agent.Tools;

namespace OperaStudio.BrowserService.Mcp;

/// <summary>
/// The tools an MCP session offers: the agent's browser tools, described exactly as the model sees them (read from
/// <see cref="BrowserPlugin"/>'s attributes, the one place those words live), plus the two that bind the session.
/// </summary>
internal static class McpTools
{
    /// <summary>The browser tools' definitions, built once: the plugin's descriptions, the actions API's required arguments.</summary>
    private static readonly IReadOnlyList<Tool> BrowserToolDefinitions = Describe();

    public static IEnumerable<McpServerTool> For(McpBinding binding) =>
        BrowserToolDefinitions.Select(definition => (McpServerTool)new McpBrowserTool(definition, binding))
            .Concat(McpSessionTools.For(binding));

    private static List<Tool> Describe()
    {
        var methods = typeof(BrowserPlugin).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(method => (Method: method, Name: method.GetCustomAttribute<KernelFunctionAttribute>()?.Name))
            .Where(m => m.Name is not null && ToolNames.Browser.Contains(m.Name))
            .ToDictionary(m => m.Name!, m => m.Method, StringComparer.Ordinal);
        return [.. ToolNames.Browser.Select(name => Define(name, methods[name]))];
    }

    private static Tool Define(string name, MethodInfo method)
    {
        // Only read for its description and parameter schema; the MCP call runs through the actions API's catalog.
        var function = AIFunctionFactory.Create(
            method, _ => throw new NotSupportedException("Described only, never invoked."), new AIFunctionFactoryOptions { Name = name });
        var schema = JsonNode.Parse(function.JsonSchema.GetRawText())!.AsObject();
        // What the actions API insists on is what the schema marks required (the plugin fills in some defaults itself).
        schema["required"] = new JsonArray([.. ActionCatalog.RequiredArguments(name).Select(argument => JsonValue.Create(argument))]);
        return new Tool
        {
            Name = name,
            Description = function.Description,
            InputSchema = JsonSerializer.SerializeToElement(schema),
        };
    }
}
