using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// The certificate that encrypts the Data Protection key ring before it goes into PostgreSQL. It lives outside the
/// database (a PKCS#12 file, <c>DataProtection:KeyFile</c>), so whoever reads the database alone can decrypt neither
/// the keys nor the cookies and storage they protect. A missing file is created on first start: a self-signed
/// RSA 3072 certificate, readable by its owner only.
/// </summary>
internal static class KeyEncryptionCertificate
{
    /// <summary>Where the key file is when configuration names none: beside ASP.NET Core's own per-user keys.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "OperaStudio", "data-protection-key.pfx");

    public static X509Certificate2 LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Create(path);
        }

        return Load(path);
    }

    public static X509Certificate2 Load(string path) => X509CertificateLoader.LoadPkcs12FromFile(path, password: null);

    private static void Create(string path)
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=Opera Studio data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(100));
        var bytes = certificate.Export(X509ContentType.Pkcs12);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(bytes);
            }

            // Never replaces a file another process created meanwhile: everyone ends up with the same certificate.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
