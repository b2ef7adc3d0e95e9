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
