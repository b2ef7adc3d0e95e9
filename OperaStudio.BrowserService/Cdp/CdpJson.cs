using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>Reads CDP message fields without trusting their types (a client may send anything).</summary>
internal static class CdpJson
{
    public static string? Text(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool TryId(JsonObject message, out int id)
    {
        id = 0;
        return message["id"] is JsonValue value && value.TryGetValue(out id);
    }

    public static JsonObject Error(int? id, int code, string message, string? sessionId = null)
    {
        var error = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
        if (id is { } given)
        {
            error["id"] = given;
        }

        if (sessionId is not null)
        {
            error["sessionId"] = sessionId;
        }

        return error;
    }

    public static JsonObject Result(int id, JsonObject result, string? sessionId = null)
    {
        var reply = new JsonObject { ["id"] = id, ["result"] = result };
        if (sessionId is not null)
        {
            reply["sessionId"] = sessionId;
        }

        return reply;
    }
}
