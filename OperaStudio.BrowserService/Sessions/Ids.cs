using System.Security.Cryptography;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>Short, unguessable, URL-safe ids for sessions, tabs and downloads.</summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string New(int length = 12) => RandomNumberGenerator.GetString(Alphabet, length);
}
