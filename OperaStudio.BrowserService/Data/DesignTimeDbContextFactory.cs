using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OperaStudio.BrowserService.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the service (no server is contacted).</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OperaDbContext>
{
    public OperaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OperaDbContext>().UseNpgsql("Host=localhost;Database=design_time_only").Options);
}
