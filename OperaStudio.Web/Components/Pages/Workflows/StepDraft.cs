using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>
/// One step in the editor: its JSON object (the action, its arguments, <c>name</c>, <c>timeout_ms</c>, <c>retries</c>)
/// read and written through <see cref="Get"/>/<see cref="Set"/>, plus the buffers of the arguments edited as a whole:
/// fill_form's fields (rows) and extract_data's schema (text, checked as it is typed).
/// </summary>
public sealed class StepDraft
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private JsonObject _node = [];

    /// <summary>Tells the same step apart across moves (Blazor's @key).</summary>
    public Guid Key { get; } = Guid.NewGuid();

    public string Action
    {
        get => Get("action");
        set
        {
            Set("action", value);
            LoadBuffers();
        }
    }

    public string Name
    {
        get => Get("name");
        set => Set("name", value);
    }

    /// <summary>fill_form's fields, label → value.</summary>
    public List<FieldRow> Fields { get; } = [];

    public string SchemaText { get; set; } = "";

    public static StepDraft From(JsonElement step)
    {
        var draft = new StepDraft { _node = JsonNode.Parse(step.GetRawText()) as JsonObject ?? [] };
        draft.LoadBuffers();
        return draft;
    }

    public static StepDraft New(string action) => new() { Action = action };

    public string Get(string key) => _node[key] switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray a => string.Join(", ", a.Select(x => x?.ToString())),
        var other => other.ToJsonString(),
    };

    /// <summary>Sets a text argument; an empty one is left out rather than sent as "".</summary>
    public void Set(string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            _node.Remove(key);
        }
        else
        {
            _node[key] = value;
        }
    }

    public void SetNumber(string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            _node.Remove(key);
        }
        else if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            _node[key] = n;
        }
        else
        {
            _node[key] = value; // Sent as typed: the service says why it is not a number.
        }
    }

    public bool GetFlag(string key) => _node[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public void SetFlag(string key, bool value)
    {
        if (value)
        {
            _node[key] = true;
        }
        else
        {
            _node.Remove(key);
        }
    }

    /// <summary>A list argument (compare_results' <c>of</c>) typed as comma-separated names.</summary>
    public void SetList(string key, string? value)
    {
        var items = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            _node.Remove(key);
        }
        else
        {
            _node[key] = new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);
        }
    }

    /// <summary>Why the schema text is not a usable JSON schema, or null when it is.</summary>
    public string? SchemaProblem()
    {
        if (Action != "extract_data")
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(SchemaText))
        {
            return "the schema is missing.";
        }

        try
        {
            return JsonNode.Parse(SchemaText) is JsonObject schema ? SchemaChecks.Problem(schema, "schema") : "the schema must be a JSON object.";
        }
        catch (JsonException ex)
        {
            return $"the schema is not JSON ({ex.Message.Split(" Path:")[0]})";
        }
    }

    public JsonElement ToJson()
    {
        var node = (JsonObject)_node.DeepClone();
        if (Action == "fill_form")
        {
            var fields = new JsonObject();
            foreach (var row in Fields.Where(r => !string.IsNullOrWhiteSpace(r.Label)))
            {
                fields[row.Label.Trim()] = row.Value;
            }

            node["fields"] = fields;
        }
        else if (Action == "extract_data")
        {
            try
            {
                node["schema"] = JsonNode.Parse(SchemaText);
            }
            catch (JsonException)
            {
                node["schema"] = SchemaText; // Stopped locally before it is sent; kept as text meanwhile.
            }
        }

        return JsonSerializer.SerializeToElement(node);
    }

    private void LoadBuffers()
    {
        Fields.Clear();
        if (_node["fields"] is JsonObject fields)
        {
            Fields.AddRange(fields.Select(f => new FieldRow { Label = f.Key, Value = f.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : f.Value?.ToJsonString() ?? "" }));
        }

        if (Action == "fill_form" && Fields.Count == 0)
        {
            Fields.Add(new FieldRow());
        }

        SchemaText = _node["schema"] is { } schema ? schema.ToJsonString(Indented) : Action == "extract_data" ? SchemaChecks.Example : "";
    }
}

/// <summary>One fill_form field: the field's label (or a description of it) and the value to put in.</summary>
public sealed class FieldRow
{
    public string Label { get; set; } = "";

    public string Value { get; set; } = "";
}
