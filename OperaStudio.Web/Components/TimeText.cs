namespace OperaStudio.Web.Components;

/// <summary>How times read in the UI: recent ones relative ("3 min ago"), older ones as local dates.</summary>
public static class TimeText
{
    public static string Ago(DateTimeOffset when)
    {
        var elapsed = DateTimeOffset.UtcNow - when;
        return elapsed.TotalSeconds switch
        {
            < 10 => "just now",
            < 60 => $"{(int)elapsed.TotalSeconds} s ago",
            < 3600 => $"{(int)elapsed.TotalMinutes} min ago",
            < 86400 => $"{(int)elapsed.TotalHours} h ago",
            _ => when.ToLocalTime().ToString("g"),
        };
    }

    /// <summary>A full local date and time, for tooltips.</summary>
    public static string Full(DateTimeOffset when) => when.ToLocalTime().ToString("F");
}
