using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Sessions.Persistence;

/// <summary>
/// Reads and writes sessions' durable records in PostgreSQL. The storage state (cookies and local storage: the
/// user's logins) is encrypted with Data Protection before it is stored.
/// </summary>
public sealed class SessionStateStore(
    IDbContextFactory<OperaDbContext> factory, DatabaseInitializer database, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("OperaStudio.Sessions.StorageState.v1");

    /// <summary>Creates or updates the record: state, tabs (closed ones are kept, marked closed), viewport, storage.</summary>
    public async Task SaveAsync(
        string id, string? owner, string node, SessionLifecycle state, SessionDto snapshot, string? storageStateJson,
        string? reason = null, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        var record = await db.Sessions.Include(s => s.Tabs).FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (record is null)
        {
            record = new SessionRecord { Id = id, Owner = owner, CreatedAt = snapshot.CreatedAt };
            db.Sessions.Add(record);
        }

        record.State = state;
        record.Node = state == SessionLifecycle.Live ? node : record.Node;
        record.LastActivityAt = snapshot.LastActivityAt;
        record.ActiveTabId = snapshot.ActiveTabId;
        record.ViewportWidth = snapshot.Viewport.Width;
        record.ViewportHeight = snapshot.Viewport.Height;
        record.DeviceScaleFactor = snapshot.Viewport.DeviceScaleFactor;
        if (state != SessionLifecycle.Live)
        {
            record.EndedAt = now;
            record.EndReason = reason;
        }
        else
        {
            record.EndedAt = null;
            record.EndReason = null;
        }

        if (storageStateJson is not null)
        {
            record.ProtectedStorageState = _protector.Protect(storageStateJson);
            record.StateSavedAt = now;
        }

        var open = snapshot.Tabs.Select((tab, index) => (tab, index)).ToDictionary(t => t.tab.Id, StringComparer.Ordinal);
        foreach (var saved in record.Tabs.Where(t => t.IsOpen && !open.ContainsKey(t.Id)))
        {
            saved.IsOpen = false;
            saved.ClosedAt = now;
        }

        foreach (var (tab, index) in open.Values)
        {
            var saved = record.Tabs.FirstOrDefault(t => t.Id == tab.Id);
            if (saved is null)
            {
                saved = new TabRecord { SessionId = id, Id = tab.Id, Url = tab.Url, OpenedAt = now };
                record.Tabs.Add(saved);
            }

            saved.Position = index;
            saved.Url = tab.Url;
            saved.Title = tab.Title;
            saved.IsOpen = true;
            saved.ClosedAt = null;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A session that can be restored (not closed by its user), with its storage state decrypted.</summary>
    public async Task<SavedSession?> LoadRestorableAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(cancellationToken);
        var record = await db.Sessions.AsNoTracking().Include(s => s.Tabs)
            .FirstOrDefaultAsync(s => s.Id == id && s.State != SessionLifecycle.Closed, cancellationToken);
        if (record is null)
        {
            return null;
        }

        string? storage = null;
        if (record.ProtectedStorageState is { } protectedState)
        {
            try
            {
                storage = _protector.Unprotect(protectedState);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Keys rotated away or a different deployment: the tabs come back, the logins do not.
            }
        }

        var tabs = record.Tabs.Where(t => t.IsOpen).OrderBy(t => t.Position).Select(t => new SavedTab(t.Id, t.Url, t.Title)).ToList();
        return new SavedSession(
            record.Id, record.Owner, tabs, record.ActiveTabId,
            new ViewportDto(record.ViewportWidth, record.ViewportHeight, record.DeviceScaleFactor), storage, record.CreatedAt);
    }

    public async Task MarkAsync(string id, SessionLifecycle state, string reason, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(cancellationToken);
        await db.Sessions.Where(s => s.Id == id).ExecuteUpdateAsync(
            update => update
                .SetProperty(s => s.State, state)
                .SetProperty(s => s.EndedAt, time.GetUtcNow())
                .SetProperty(s => s.EndReason, reason),
            cancellationToken);
    }

    /// <summary>A context once the schema is current (the first save of a new service waits for its migrations).</summary>
    private async Task<OperaDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        await database.WaitUntilReadyAsync(cancellationToken);
        return await factory.CreateDbContextAsync(cancellationToken);
    }
}
