using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OperaStudio.BrowserService.Contracts;

/// <summary>
/// Who a request to the browser service acts for, in a form only the web app (or another holder of the service key,
/// <c>Auth:ServiceKey</c>) can write: <c>X-Opera-Identity: {user, base64url}.{expiry, unix seconds}.{HMAC-SHA256, base64url}</c>.
/// The service believes no other statement of identity; a header a caller makes up fails the check.
/// </summary>
public static class CallerSignature
{
    public const string Header = "X-Opera-Identity";

    /// <summary>The shortest service key accepted: a guessable key would let anyone sign as anyone.</summary>
    public const int MinimumKeyLength = 32;

    public static string Sign(string user, DateTimeOffset expires, string key)
    {
        var expiry = expires.ToUnixTimeSeconds();
        return $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(user))}.{expiry}.{Base64Url.EncodeToString(Mac(user, expiry, key))}";
    }

    /// <summary>The user the value was signed for, or null when it is malformed, expired or not signed with <paramref name="key"/>.</summary>
    public static string? Verify(string value, string key, DateTimeOffset now)
    {
        var parts = value.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[1], out var expiry) || expiry < now.ToUnixTimeSeconds())
        {
            return null;
        }

        try
        {
            var user = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
            var mac = Base64Url.DecodeFromChars(parts[2]);
            return user.Length is > 0 and <= 128 && CryptographicOperations.FixedTimeEquals(mac, Mac(user, expiry, key)) ? user : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] Mac(string user, long expiry, string key) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"opera-identity\n{user}\n{expiry}"));
}
