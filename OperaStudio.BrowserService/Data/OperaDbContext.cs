using Microsoft.EntityFrameworkCore;

namespace OperaStudio.BrowserService.Data;

/// <summary>Durable history: sessions, tabs, navigations, the action log, chat transcripts.</summary>
public sealed class OperaDbContext(DbContextOptions<OperaDbContext> options) : DbContext(options);
