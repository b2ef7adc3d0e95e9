using Microsoft.AspNetCore.Components;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>
/// The editor's page: loads the workflow (or starts an empty one for <c>/workflows/new</c>), keeps a
/// <see cref="WorkflowDraft"/> the forms edit, and saves it as a new version. A refused save shows every problem the
/// service listed, and the draft stays as it was typed so nothing is lost.
/// </summary>
public sealed partial class WorkflowEditor
{
    /// <summary>The id in the route of a workflow not created yet.</summary>
    public const string NewId = "new";

    private WorkflowDto? _workflow;
    private WorkflowDraft? _draft;
    private string _savedJson = "";
    private ApiProblem? _loadProblem;
    private IReadOnlyList<WorkflowVersionDto>? _versions;
    private IReadOnlyList<WorkflowRunSummaryDto>? _runs;
    private List<string> _problems = [];
    private string _problemTitle = "";
    private bool _saving;
    private bool _jsonOpen;
    private string _jsonText = "";
    private string _newAction = WorkflowActions.Navigate;
    private Guid? _added;
    private bool _runOpen;
    private WorkflowRunForm? _runForm;

    [Parameter]
    public string Id { get; set; } = "";

    /// <summary><c>?run=1</c> (the list's Run button): the run form opens at once.</summary>
    [SupplyParameterFromQuery(Name = "run")]
    public string? RunQuery { get; set; }

    [Inject]
    private BrowserServiceClient Api { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    private bool Dirty => _draft is not null && WorkflowJson.Write(_draft.ToDefinition()) != _savedJson;

    protected override async Task OnParametersSetAsync()
    {
        if (_workflow?.Id == Id || (Id == NewId && _draft is not null && _workflow is null))
        {
            return;
        }

        _problems = [];
        _loadProblem = null;
        _runOpen = RunQuery is not null;
        if (Id == NewId)
        {
            _workflow = null;
            Load(new WorkflowDefinitionDto("", null, [], []));
            _savedJson = "";
            return;
        }

        var result = await Api.GetWorkflowAsync(Id);
        _loadProblem = result.Problem;
        if (result.Value is { } workflow)
        {
            _workflow = workflow;
            Load(workflow.Definition);
            await LoadSideAsync();
        }
    }

    private void Load(WorkflowDefinitionDto definition)
    {
        _draft = WorkflowDraft.From(definition);
        _savedJson = WorkflowJson.Write(_draft.ToDefinition());
        _jsonText = _savedJson;
    }

    private async Task LoadSideAsync()
    {
        if (_workflow is null)
        {
            return;
        }

        var versions = Api.ListWorkflowVersionsAsync(_workflow.Id);
        var runs = Api.ListWorkflowRunsAsync(_workflow.Id);
        _versions = (await versions).Value?.OrderByDescending(v => v.Version).ToList() ?? _versions;
        _runs = (await runs).Value?.OrderByDescending(r => r.StartedAt).ToList() ?? _runs;
    }

    private static void Edit(Action change) => change();

    private void AddStep()
    {
        var step = StepDraft.New(_newAction);
        _draft!.Steps.Add(step);
        _added = step.Key;
    }

    private void Move(int index, int by)
    {
        var steps = _draft!.Steps;
        var to = index + by;
        if (to < 0 || to >= steps.Count)
        {
            return;
        }

        (steps[index], steps[to]) = (steps[to], steps[index]);
    }

    private void ToggleJson()
    {
        _jsonOpen = !_jsonOpen;
        if (_jsonOpen && _draft is not null)
        {
            _jsonText = WorkflowJson.Write(_draft.ToDefinition());
        }
    }

    /// <summary>The JSON replaces the editor's draft (not saved until Save).</summary>
    private void ApplyJson()
    {
        var (definition, error) = WorkflowJson.Read(_jsonText);
        if (definition is null)
        {
            ShowProblems("The JSON could not be read", [error!]);
            return;
        }

        _draft = WorkflowDraft.From(definition);
        _problems = [];
        Snackbar.Add("Applied to the editor. Save to keep it.", Severity.Normal);
    }

    private void LoadVersion(WorkflowVersionDto version)
    {
        _draft = WorkflowDraft.From(version.Definition);
        _problems = [];
        Snackbar.Add($"Version {version.Version} is in the editor. Save to make it the current version.", Severity.Normal);
    }

    private async Task OpenRunAsync()
    {
        _runOpen = true;
        if (_runForm is not null)
        {
            await _runForm.FocusAsync();
        }
    }

    private async Task SaveAsync()
    {
        if (_draft is null)
        {
            return;
        }

        if (_draft.LocalProblems() is { Count: > 0 } local)
        {
            ShowProblems("Fix these before saving", local);
            return;
        }

        _saving = true;
        try
        {
            var definition = _draft.ToDefinition();
            var result = _workflow is null
                ? await Api.CreateWorkflowAsync(definition)
                : await Api.UpdateWorkflowAsync(_workflow.Id, definition);
            if (result.Value is not { } saved)
            {
                var problem = result.Problem!;
                ShowProblems(problem.Problems is { Count: > 0 } ? "The workflow was not saved" : problem.Title,
                    problem.Problems is { Count: > 0 } list ? list : [problem.Message]);
                return;
            }

            _problems = [];
            var created = _workflow is null;
            _workflow = saved;
            _savedJson = WorkflowJson.Write(WorkflowDraft.From(saved.Definition).ToDefinition());
            Snackbar.Add(created ? "Workflow created." : $"Saved as version {saved.Version}.", Severity.Success);
            await LoadSideAsync();
            if (created)
            {
                Navigation.NavigateTo(BrowserServiceClient.WorkflowPagePath(saved.Id), replace: true);
            }
        }
        finally
        {
            _saving = false;
        }
    }

    private void ShowProblems(string title, IReadOnlyList<string> problems)
    {
        _problemTitle = title;
        _problems = [.. problems];
    }

    private static string RunLabel(WorkflowRunSummaryDto run) =>
        $"v{run.WorkflowVersion} · {run.StepsDone}/{run.StepCount} steps{(run.Trigger == WorkflowActions.ManualTrigger ? "" : $" · {run.Trigger}")}";
}
