using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Workflows.Definitions;

namespace OperaStudio.BrowserService.Workflows.Batches;

/// <summary>
/// A batch's inputs, from JSON objects or CSV rows, each checked and typed by the workflow's parameters before anything
/// runs: a batch with one bad row starts no run at all, and the answer names every bad row.
/// </summary>
public static class BatchInputs
{
    /// <summary>The CSV's rows as input objects: the header names the parameters; an empty cell leaves the default.</summary>
    public static List<JsonNode?> FromCsv(string text)
    {
        var rows = CsvText.Parse(text);
        if (rows.Count == 0)
        {
            throw new WorkflowInvalidException(["The CSV is empty: it needs a header row of parameter names and one row per run."]);
        }

        var header = rows[0].Select(h => h.Trim()).ToList();
        var problems = new List<string>();
        if (header.Any(h => h.Length == 0))
        {
            problems.Add("The CSV's header row has an empty column name; every column must name a parameter.");
        }

        foreach (var duplicate in header.Where(h => h.Length > 0).GroupBy(h => h, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"The CSV's header names '{duplicate.Key}' more than once.");
        }

        var inputs = new List<JsonNode?>();
        for (var r = 1; r < rows.Count; r++)
        {
            if (rows[r].Count > header.Count)
            {
                problems.Add($"CSV line {r + 1} has {rows[r].Count} cells but the header has {header.Count} columns.");
                continue;
            }

            var input = new JsonObject();
            for (var c = 0; c < rows[r].Count; c++)
            {
                if (rows[r][c].Length > 0 && header[c].Length > 0)
                {
                    input[header[c]] = rows[r][c];
                }
            }

            inputs.Add(input);
        }

        if (problems.Count > 0)
        {
            throw new WorkflowInvalidException(problems);
        }

        return inputs;
    }

    /// <summary>
    /// Every input resolved against the parameters (defaults filled in, "12" made a number for a number parameter);
    /// throws listing every problem of every input, each prefixed with its place (input 1 is the first).
    /// </summary>
    public static List<JsonObject> Resolve(IReadOnlyList<WorkflowParameterDto> parameters, IReadOnlyList<JsonNode?> inputs, int maxInputs)
    {
        if (inputs.Count == 0)
        {
            throw new WorkflowInvalidException(["The batch has no inputs: give at least one (an object of parameter name → value per run)."]);
        }

        if (inputs.Count > maxInputs)
        {
            throw new WorkflowInvalidException([$"The batch has {inputs.Count} inputs; the limit is {maxInputs} (Workflows:MaxBatchInputs)."]);
        }

        var problems = new List<string>();
        var resolved = new List<JsonObject>();
        for (var i = 0; i < inputs.Count; i++)
        {
            try
            {
                resolved.Add(RunInputs.Resolve(parameters, inputs[i]));
            }
            catch (WorkflowInvalidException ex)
            {
                problems.AddRange(ex.Problems.Select(p => $"Input {i + 1}: {p}"));
            }
        }

        return problems.Count == 0 ? resolved : throw new WorkflowInvalidException(problems);
    }

    /// <summary>JSON elements as nodes (what a <see cref="WorkflowBatchRequest"/> carries).</summary>
    public static List<JsonNode?> FromJson(IEnumerable<JsonElement> inputs) =>
        [.. inputs.Select(e => e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : JsonNode.Parse(e.GetRawText()))];
}
