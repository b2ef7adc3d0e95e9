using System.Collections.Concurrent;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Runs;

/// <summary>
/// A session's tool steps, from model runs and the actions API alike: announced to the panel as they start and
/// finish, with a small image of the tab after each (or the screenshot a step took). Keeps the latest few hundred.
/// An image may still be in the making when its step finishes (it is taken off the answer's path): its URL is given
/// at once and serving it waits for it.
/// </summary>
public sealed class StepLog(string sessionId, Action<SessionEvent> publish, TimeProvider time)
{
    private const int MaxSteps = 300;
    private const int MaxImages = 120;

    private readonly Lock _gate = new();
    private readonly LinkedList<AgentStepDto> _steps = new();
    private readonly ConcurrentDictionary<string, Task<byte[]?>> _images = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _imageOrder = new();
    private int _index;

    public IReadOnlyList<AgentStepDto> Recent(int count)
    {
        lock (_gate)
        {
            return [.. _steps.Skip(Math.Max(0, _steps.Count - count))];
        }
    }

    public AgentStepDto Start(string tool, string arguments, StepOrigin origin)
    {
        var step = new AgentStepDto(
            Ids.New(10), origin.Run?.Id, origin.Source, Interlocked.Increment(ref _index), tool, arguments,
            StepStatuses.Running, null, null, null, time.GetUtcNow(), null, origin.Client);
        lock (_gate)
        {
            _steps.AddLast(step);
            while (_steps.Count > MaxSteps)
            {
                _steps.RemoveFirst();
            }
        }

        publish(new AgentStepChanged(sessionId, step));
        return step;
    }

    public AgentStepDto Update(AgentStepDto step, string status) => Replace(step with { Status = status });

    public AgentStepDto Finish(AgentStepDto step, string status, string? summary, string? error) =>
        Replace(step with
        {
            Status = status,
            Summary = summary,
            Error = error,
            FinishedAt = time.GetUtcNow(),
            ThumbnailUrl = _images.ContainsKey(step.Id) ? ImageUrl(step.Id) : null,
        });

    public void SetImage(string stepId, byte[] jpeg) => SetImage(stepId, Task.FromResult<byte[]?>(jpeg));

    /// <summary>An image still being taken; null when it could not be.</summary>
    public void SetImage(string stepId, Task<byte[]?> jpeg)
    {
        _images[stepId] = jpeg;
        _imageOrder.Enqueue(stepId);
        while (_imageOrder.Count > MaxImages && _imageOrder.TryDequeue(out var old))
        {
            _images.TryRemove(old, out _);
        }
    }

    public bool HasImage(string stepId) => _images.ContainsKey(stepId);

    public async Task<byte[]?> ImageAsync(string stepId) =>
        _images.GetValueOrDefault(stepId) is { } image ? await image : null;

    private string ImageUrl(string stepId) => $"/api/sessions/{sessionId}/agent/steps/{stepId}/thumbnail";

    private AgentStepDto Replace(AgentStepDto step)
    {
        lock (_gate)
        {
            for (var node = _steps.Last; node is not null; node = node.Previous)
            {
                if (node.Value.Id == step.Id)
                {
                    node.Value = step;
                    break;
                }
            }
        }

        publish(new AgentStepChanged(sessionId, step));
        return step;
    }
}
