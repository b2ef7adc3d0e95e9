using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace OperaStudio.BrowserService.Data;

/// <summary>Where the key that encrypts the Data Protection key ring is kept. Section <c>DataProtection</c>.</summary>
public sealed class KeyRingProtectionOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>
    /// The PKCS#12 file whose certificate encrypts new keys (created when missing); empty means a file under the
    /// user's local application data. The AppHost passes one under its data directory.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>Key files of earlier rotations: they still decrypt the keys they encrypted, and encrypt nothing new.</summary>
    public List<string> PreviousKeyFiles { get; set; } = [];
}

/// <summary>Shared by the browser service and the web app (which compiles this file in).</summary>
internal static class KeyRingProtection
{
    /// <summary>
    /// The key ring is kept in PostgreSQL (so any node and any restart reads it) and encrypted there with a certificate
    /// from outside the database (<see cref="KeyRingProtectionOptions"/>).
    /// </summary>
    public static IDataProtectionBuilder PersistKeyRingTo<TContext>(this IDataProtectionBuilder dataProtection, IConfiguration configuration)
        where TContext : DbContext, IDataProtectionKeyContext
    {
        var settings = configuration.GetSection(KeyRingProtectionOptions.SectionName).Get<KeyRingProtectionOptions>() ?? new();
        var current = KeyEncryptionCertificate.LoadOrCreate(settings.KeyFile is { Length: > 0 } file ? file : KeyEncryptionCertificate.DefaultPath);
        var previous = settings.PreviousKeyFiles.Where(path => path.Length > 0).Select(KeyEncryptionCertificate.Load);
        return dataProtection
            .PersistKeysToDbContext<TContext>()
            .ProtectKeysWithCertificate(current)
            .UnprotectKeysWithAnyCertificate([current, .. previous]);
    }
}
