using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// Durable history: sessions and their tabs, navigations, the action log, chat transcripts; recordings and their events;
/// personal API tokens; and the Data Protection keys.
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

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        // Every text column takes outside text as it is storable: one bad character or an overlong value must not
        // make PostgreSQL refuse a whole batch (ids are ours and stay exact).
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(entity => entity.GetProperties())
                     .Where(p => p.ClrType == typeof(string) && !p.IsKey() && !p.IsForeignKey()))
        {
            property.SetValueConverter(StoredText.Converter(property.GetMaxLength(), property.GetColumnType() == "jsonb"));
        }
    }
}
