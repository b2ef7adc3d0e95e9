using System.Globalization;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// The keys a viewer may send. Printable characters (one grapheme) type text; named keys come from this table;
/// anything else is refused, so a malformed or hostile message cannot send arbitrary CDP key events.
/// </summary>
internal static class KeyTable
{
    public const int Alt = 1;
    public const int Control = 2;
    public const int Meta = 4;
    public const int Shift = 8;

    private static readonly Dictionary<string, (string Code, int KeyCode, string? Text)> Named = new(StringComparer.Ordinal)
    {
        ["Enter"] = ("Enter", 13, "\r"),
        ["Tab"] = ("Tab", 9, null),
        ["Backspace"] = ("Backspace", 8, null),
        ["Delete"] = ("Delete", 46, null),
        ["Escape"] = ("Escape", 27, null),
        ["ArrowLeft"] = ("ArrowLeft", 37, null),
        ["ArrowUp"] = ("ArrowUp", 38, null),
        ["ArrowRight"] = ("ArrowRight", 39, null),
        ["ArrowDown"] = ("ArrowDown", 40, null),
        ["Home"] = ("Home", 36, null),
        ["End"] = ("End", 35, null),
        ["PageUp"] = ("PageUp", 33, null),
        ["PageDown"] = ("PageDown", 34, null),
        ["Insert"] = ("Insert", 45, null),
        ["Shift"] = ("ShiftLeft", 16, null),
        ["Control"] = ("ControlLeft", 17, null),
        ["Alt"] = ("AltLeft", 18, null),
        ["Meta"] = ("MetaLeft", 91, null),
        ["CapsLock"] = ("CapsLock", 20, null),
        ["ContextMenu"] = ("ContextMenu", 93, null),
        ["F1"] = ("F1", 112, null), ["F2"] = ("F2", 113, null), ["F3"] = ("F3", 114, null), ["F4"] = ("F4", 115, null),
        ["F5"] = ("F5", 116, null), ["F6"] = ("F6", 117, null), ["F7"] = ("F7", 118, null), ["F8"] = ("F8", 119, null),
        ["F9"] = ("F9", 120, null), ["F10"] = ("F10", 121, null), ["F11"] = ("F11", 122, null), ["F12"] = ("F12", 123, null),
    };

    /// <summary>
    /// Resolves a key as a browser reports it (<c>KeyboardEvent.key/code/keyCode</c>) into what CDP needs, or
    /// returns null with the reason it is refused.
    /// </summary>
    public static (string Code, int KeyCode, string? Text)? Resolve(string key, string? code, int keyCode, int modifiers, out string? error)
    {
        error = null;
        if (Named.TryGetValue(key, out var named))
        {
            return (IsValidCode(code) ? code! : named.Code, named.KeyCode, (modifiers & (Control | Meta)) == 0 ? named.Text : null);
        }

        if (!IsPrintable(key))
        {
            error = $"Unknown key '{Truncate(key)}'.";
            return null;
        }

        var resolvedCode = IsValidCode(code) ? code! : "";
        var resolvedKeyCode = keyCode is > 0 and < 256 ? keyCode : DefaultKeyCode(key);
        // With Ctrl or Meta held, a letter is a shortcut (select all, copy), not text.
        return (resolvedCode, resolvedKeyCode, (modifiers & (Control | Meta)) == 0 ? key : null);
    }

    private static bool IsPrintable(string key)
    {
        if (key.Length is 0 or > 8)
        {
            return false;
        }

        var elements = StringInfo.GetTextElementEnumerator(key);
        if (!elements.MoveNext() || elements.MoveNext())
        {
            return false;
        }

        return !key.Any(char.IsControl);
    }

    private static bool IsValidCode(string? code) =>
        code is { Length: > 0 and <= 32 } && code.All(char.IsAsciiLetterOrDigit);

    private static int DefaultKeyCode(string key) =>
        key.Length == 1 && char.IsAsciiLetterOrDigit(key[0]) ? char.ToUpperInvariant(key[0]) : 0;

    private static string Truncate(string key) => key.Length <= 24 ? key : key[..24] + "…";
}
