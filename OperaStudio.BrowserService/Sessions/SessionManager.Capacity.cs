using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Sessions;

// The limits on live sessions (per node, per user, across the cluster), held under concurrent creates: a create or
// restore takes a slot before its slow part (acquiring a browser context) and holds it until the session is adopted,
// so fifty creates at once cannot all pass a check made while none of them was counted yet.
public sealed partial class SessionManager
{
    private readonly Lock _slotGate = new();

    /// <summary>Owners of the sessions being created or restored right now (null: no owner).</summary>
    private readonly List<string?> _pendingOwners = [];

    private int PendingSlots
    {
        get
        {
            lock (_slotGate)
            {
                return _pendingOwners.Count;
            }
        }
    }

    /// <summary>
    /// Takes a slot for a session of <paramref name="owner"/>, or throws why there is none (stopping, draining, a
    /// limit reached). Dispose it once the session is adopted (it then counts itself) or has failed.
    /// </summary>
    private async Task<SessionSlot> ReserveSlotAsync(string? owner)
    {
        if (IsStopping)
        {
            throw new BrowserUnavailableException("The browser service is shutting down; retry in a moment (another node, or this one after its restart).");
        }

        if (IsDraining)
        {
            throw new BrowserUnavailableException("This node is draining: it takes no new sessions until an operator resumes it. Retry on another node.");
        }

        // The other nodes' sessions as the registry knows them (its writes trail by a moment); read before the lock.
        var cluster = await _registry.ListAsync() ?? [];
        var retryAfter = TimeSpan.FromSeconds(10);
        lock (_slotGate)
        {
            if (_sessions.Count + _pendingOwners.Count >= _options.MaxSessions)
            {
                throw new SessionLimitException(
                    $"This node runs its maximum of {_options.MaxSessions} sessions. Close one, or retry shortly.", retryAfter);
            }

            var owners = _sessions.Values.Select(s => s.Owner)
                .Concat(_pendingOwners)
                .Concat(cluster.Where(r => !_sessions.ContainsKey(r.Session.Id)).Select(r => r.Owner))
                .ToList();
            if (owners.Count >= _options.MaxSessionsGlobal)
            {
                throw new SessionLimitException($"Opera Studio runs its maximum of {_options.MaxSessionsGlobal} sessions. Retry shortly.", retryAfter);
            }

            if (owner is not null && owner != _administrator && owners.Count(o => o == owner) >= _options.MaxSessionsPerUser)
            {
                throw new SessionLimitException(
                    $"You already have {_options.MaxSessionsPerUser} live sessions. Close one to open another.", retryAfter);
            }

            _pendingOwners.Add(owner);
        }

        // The other nodes create at the same time: the cluster's place is taken in Redis, atomically.
        string? clusterSlot = Guid.NewGuid().ToString("N");
        switch (await _clusterSlots.TryTakeAsync(clusterSlot, _options.MaxSessionsGlobal))
        {
            case false:
                ReleaseSlot(owner);
                throw new SessionLimitException($"Opera Studio runs its maximum of {_options.MaxSessionsGlobal} sessions. Retry shortly.", retryAfter);
            case null:
                clusterSlot = null; // Redis away: the count above is what there is.
                break;
        }

        return new SessionSlot(this, owner, clusterSlot);
    }

    private void ReleaseSlot(string? owner)
    {
        lock (_slotGate)
        {
            _pendingOwners.Remove(owner);
        }
    }

    /// <summary>The cluster's slot goes once the registry lists the session it was taken for (or at once, if none was made).</summary>
    private async Task GiveBackClusterSlotAsync(string slot)
    {
        try
        {
            await _registry.FlushNowAsync();
        }
        catch (ObjectDisposedException)
        {
            // Shutting down: the slot expires by itself.
            return;
        }

        await _clusterSlots.GiveBackAsync(slot);
    }

    /// <summary>A place for one session while it is being made.</summary>
    private sealed class SessionSlot(SessionManager manager, string? owner, string? clusterSlot) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                manager.ReleaseSlot(owner);
                if (clusterSlot is not null)
                {
                    _ = manager.GiveBackClusterSlotAsync(clusterSlot);
                }
            }
        }
    }
}
