using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// Durable history: sessions and their tabs, navigations, the action log, chat transcripts; recordings and their events;
/// personal API tokens; workflows, their versions, runs and batches; and the Data Protection keys.
/// </summary>
public sealed class OperaDbContext(DbContextOptions<OperaDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<SessionRecord> Sessions => Set<SessionRecord>();

    public DbSet<TabRecord> Tabs => Set<TabRecord>();

    public DbSet<NavigationRecord> Navigations => Set<NavigationRecord>();

    public DbSet<ActionRecord> Actions => Set<ActionRecord>();

    public DbSet<ChatMessageRecord> ChatMessages => Set<ChatMessageRecord>();

    public DbSet<ApiTokenRecord> ApiTokens => Set<ApiTokenRecord>();

    public DbSet<SessionMemberRecord> SessionMembers => Set<SessionMemberRecord>();

    public DbSet<ShareLinkRecord> ShareLinks => Set<ShareLinkRecord>();

    public DbSet<RecordingRecord> Recordings => Set<RecordingRecord>();

    public DbSet<RecordingEventRecord> RecordingEvents => Set<RecordingEventRecord>();

    public DbSet<WorkflowRecord> Workflows => Set<WorkflowRecord>();

    public DbSet<WorkflowVersionRecord> WorkflowVersions => Set<WorkflowVersionRecord>();

    public DbSet<WorkflowRunRecord> WorkflowRuns => Set<WorkflowRunRecord>();

    public DbSet<WorkflowRunImageRecord> WorkflowRunImages => Set<WorkflowRunImageRecord>();

    public DbSet<WorkflowBatchRecord> WorkflowBatches => Set<WorkflowBatchRecord>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SessionRecord>(session =>
        {
            session.ToTable("sessions");
            session.HasKey(s => s.Id);
            session.Property(s => s.Id).HasMaxLength(32);
            session.Property(s => s.Owner).HasMaxLength(128);
            session.Property(s => s.Node).HasMaxLength(128);
            session.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
            session.Property(s => s.EndReason).HasMaxLength(500);
            session.Property(s => s.ActiveTabId).HasMaxLength(32);
            session.HasMany(s => s.Tabs).WithOne().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
            session.HasIndex(s => s.LastActivityAt);
            session.HasIndex(s => new { s.Owner, s.State });
        });

        modelBuilder.Entity<TabRecord>(tab =>
        {
            tab.ToTable("tabs");
            tab.HasKey(t => new { t.SessionId, t.Id });
            tab.Property(t => t.Id).HasMaxLength(32);
            tab.Property(t => t.Url).HasMaxLength(8192);
            tab.Property(t => t.Title).HasMaxLength(1000);
        });

        modelBuilder.Entity<NavigationRecord>(navigation =>
        {
            navigation.ToTable("navigations");
            navigation.Property(n => n.SessionId).HasMaxLength(32);
            navigation.Property(n => n.TabId).HasMaxLength(32);
            navigation.Property(n => n.Url).HasMaxLength(8192);
            navigation.Property(n => n.Title).HasMaxLength(1000);
            navigation.HasIndex(n => new { n.SessionId, n.At });
        });

        modelBuilder.Entity<ActionRecord>(action =>
        {
            action.ToTable("actions");
            action.Property(a => a.SessionId).HasMaxLength(32);
            action.Property(a => a.TabId).HasMaxLength(32);
            action.Property(a => a.Actor).HasConversion<string>().HasMaxLength(16);
            action.Property(a => a.User).HasMaxLength(128);
            action.Property(a => a.Kind).HasMaxLength(64);
            action.Property(a => a.Target).HasMaxLength(2000);
            action.Property(a => a.Outcome).HasMaxLength(32);
            action.Property(a => a.Detail).HasColumnType("jsonb");
            action.Property(a => a.RunId).HasMaxLength(32);
            action.HasIndex(a => new { a.SessionId, a.At });
        });

        modelBuilder.Entity<ChatMessageRecord>(message =>
        {
            message.ToTable("chat_messages");
            message.Property(m => m.SessionId).HasMaxLength(32);
            message.Property(m => m.RunId).HasMaxLength(32);
            message.Property(m => m.Role).HasMaxLength(16);
            message.Property(m => m.Author).HasMaxLength(128);
            message.Property(m => m.ToolName).HasMaxLength(128);
            message.Property(m => m.ToolArguments).HasColumnType("jsonb");
            message.Property(m => m.Status).HasMaxLength(32);
            message.HasIndex(m => new { m.SessionId, m.At });
        });

        modelBuilder.Entity<ApiTokenRecord>(token =>
        {
            token.ToTable("api_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.Id).HasMaxLength(32);
            token.Property(t => t.Owner).HasMaxLength(128);
            token.Property(t => t.Name).HasMaxLength(100);
            token.Property(t => t.Prefix).HasMaxLength(16);
            // Every authenticated request finds its token by hash.
            token.HasIndex(t => t.Hash).IsUnique();
            token.HasIndex(t => t.Owner);
        });

        // No foreign key to sessions: a session is shared before its first save may have reached PostgreSQL.
        modelBuilder.Entity<SessionMemberRecord>(member =>
        {
            member.ToTable("session_members");
            member.HasKey(m => new { m.SessionId, m.User });
            member.Property(m => m.SessionId).HasMaxLength(32);
            member.Property(m => m.User).HasMaxLength(128);
            member.Property(m => m.Role).HasMaxLength(16);
            member.Property(m => m.AddedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<ShareLinkRecord>(link =>
        {
            link.ToTable("share_links");
            link.HasKey(l => l.Id);
            link.Property(l => l.Id).HasMaxLength(32);
            link.Property(l => l.SessionId).HasMaxLength(32);
            link.Property(l => l.Hash).HasMaxLength(64);
            link.Property(l => l.Role).HasMaxLength(16);
            link.Property(l => l.CreatedBy).HasMaxLength(128);
            // Accepting a link finds it by hash.
            link.HasIndex(l => l.Hash).IsUnique();
            link.HasIndex(l => l.SessionId);
        });

        modelBuilder.Entity<RecordingRecord>(recording =>
        {
            recording.ToTable("recordings");
            recording.HasKey(r => r.Id);
            recording.Property(r => r.Id).HasMaxLength(32);
            recording.Property(r => r.SessionId).HasMaxLength(32);
            recording.Property(r => r.Owner).HasMaxLength(128);
            recording.Property(r => r.StartedBy).HasMaxLength(128);
            recording.Property(r => r.State).HasMaxLength(16);
            recording.Property(r => r.Title).HasMaxLength(1000);
            recording.HasIndex(r => r.StartedAt);
            recording.HasIndex(r => new { r.Owner, r.StartedAt });
            recording.HasIndex(r => r.SessionId);
            recording.HasIndex(r => r.State);
        });

        // No foreign key to recordings: events are written by the history writer's queue, which may reach PostgreSQL
        // before or after the recording's own row; deleting a recording deletes its events itself.
        modelBuilder.Entity<RecordingEventRecord>(e =>
        {
            e.ToTable("recording_events");
            e.Property(r => r.RecordingId).HasMaxLength(32);
            e.Property(r => r.Kind).HasMaxLength(16);
            e.Property(r => r.Actor).HasMaxLength(16);
            e.Property(r => r.TabId).HasMaxLength(32);
            e.Property(r => r.Title).HasMaxLength(1000);
            e.Property(r => r.Detail).HasMaxLength(4000);
            e.Property(r => r.Outcome).HasMaxLength(32);
            e.Property(r => r.User).HasMaxLength(128);
            e.Property(r => r.Tool).HasMaxLength(64);
            e.Property(r => r.ThumbnailUrl).HasMaxLength(300);
            e.HasIndex(r => new { r.RecordingId, r.AtMs });
        });

        ConfigureWorkflows(modelBuilder);

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        // Every text column takes outside text as it is storable: one bad character or an overlong value must not
        // make PostgreSQL refuse a whole batch (ids are ours and stay exact).
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(entity => entity.GetProperties())
                     .Where(p => p.ClrType == typeof(string) && !p.IsKey() && !p.IsForeignKey()))
        {
            property.SetValueConverter(StoredText.Converter(property.GetMaxLength(), property.GetColumnType() == "jsonb"));
        }
    }

    private static void ConfigureWorkflows(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkflowRecord>(workflow =>
        {
            workflow.ToTable("workflows");
            workflow.HasKey(w => w.Id);
            workflow.Property(w => w.Id).HasMaxLength(32);
            workflow.Property(w => w.Owner).HasMaxLength(128);
            workflow.Property(w => w.Name).HasMaxLength(200);
            workflow.Property(w => w.Description).HasMaxLength(4000);
            workflow.Property(w => w.Schedule).HasMaxLength(100);
            workflow.HasIndex(w => new { w.Owner, w.UpdatedAt });
        });

        modelBuilder.Entity<WorkflowVersionRecord>(version =>
        {
            version.ToTable("workflow_versions");
            version.HasKey(v => new { v.WorkflowId, v.Version });
            version.Property(v => v.WorkflowId).HasMaxLength(32);
            version.Property(v => v.Definition).HasColumnType("jsonb");
            version.Property(v => v.CreatedBy).HasMaxLength(128);
        });

        // No foreign keys from runs: a run outlives its workflow's deletion (soft) and must stay readable.
        modelBuilder.Entity<WorkflowRunRecord>(run =>
        {
            run.ToTable("workflow_runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.Id).HasMaxLength(32);
            run.Property(r => r.WorkflowId).HasMaxLength(32);
            run.Property(r => r.WorkflowName).HasMaxLength(200);
            run.Property(r => r.Owner).HasMaxLength(128);
            run.Property(r => r.SessionId).HasMaxLength(32);
            run.Property(r => r.AgentRunId).HasMaxLength(32);
            run.Property(r => r.BatchId).HasMaxLength(32);
            run.Property(r => r.Trigger).HasMaxLength(16);
            run.Property(r => r.Status).HasMaxLength(32);
            run.Property(r => r.Inputs).HasColumnType("jsonb");
            run.Property(r => r.InputsKey).HasMaxLength(64);
            run.Property(r => r.Steps).HasColumnType("jsonb");
            run.Property(r => r.Outputs).HasColumnType("jsonb");
            run.Property(r => r.Error).HasMaxLength(4000);
            run.HasIndex(r => new { r.WorkflowId, r.StartedAt });
            run.HasIndex(r => new { r.WorkflowId, r.InputsKey, r.Status });
            run.HasIndex(r => r.BatchId);
        });

        modelBuilder.Entity<WorkflowRunImageRecord>(image =>
        {
            image.ToTable("workflow_run_images");
            image.HasKey(i => new { i.RunId, i.StepIndex });
            image.Property(i => i.RunId).HasMaxLength(32);
            image.Property(i => i.ContentType).HasMaxLength(32);
        });

        modelBuilder.Entity<WorkflowBatchRecord>(batch =>
        {
            batch.ToTable("workflow_batches");
            batch.HasKey(b => b.Id);
            batch.Property(b => b.Id).HasMaxLength(32);
            batch.Property(b => b.WorkflowId).HasMaxLength(32);
            batch.Property(b => b.Owner).HasMaxLength(128);
            batch.Property(b => b.Inputs).HasColumnType("jsonb");
            batch.HasIndex(b => new { b.WorkflowId, b.CreatedAt });
        });
    }
}
