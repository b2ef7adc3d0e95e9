using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// Secrets handed out once and then only recognised (API tokens, share links): random, marked with a prefix that
/// logs and secret scanners know, and stored as a SHA-256 hash so a copy of the database holds nothing usable.
/// </summary>
public static class BearerSecrets
{
    public static string New(string prefix, int randomBytes) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(randomBytes));

    public static int LengthOf(string prefix, int randomBytes) => prefix.Length + Base64Url.GetEncodedLength(randomBytes);

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
