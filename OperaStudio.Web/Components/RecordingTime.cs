using System.Globalization;

namespace OperaStudio.Web.Components;

/// <summary>How a recording's times read: positions and durations as a clock (<c>4:05</c>, <c>1:02:03</c>).</summary>
public static class RecordingTime
{
    public static string Clock(double milliseconds)
    {
        var time = TimeSpan.FromMilliseconds(Math.Max(0, milliseconds));
        return time.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}:{time.Seconds:00}");
    }
}
