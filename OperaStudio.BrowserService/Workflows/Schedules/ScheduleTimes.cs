using Cronos;

namespace OperaStudio.BrowserService.Workflows.Schedules;

/// <summary>A workflow's five-field cron expression (UTC), read with Cronos.</summary>
public static class ScheduleTimes
{
    /// <summary>What is wrong with <paramref name="expression"/>, in one sentence; null when it is a valid schedule.</summary>
    public static string? Problem(string expression)
    {
        try
        {
            CronExpression.Parse(expression.Trim(), CronFormat.Standard);
            return null;
        }
        catch (CronFormatException ex)
        {
            return $"schedule '{expression}' is not a valid five-field cron expression (minute hour day month weekday, UTC): {ex.Message}";
        }
    }

    /// <summary>
    /// The latest time the schedule was due after <paramref name="since"/> and no later than <paramref name="now"/>; null
    /// when none was. Missed times collapse into the latest: a service that was down runs a workflow once, not once per slot.
    /// </summary>
    public static DateTimeOffset? LatestDue(string expression, DateTimeOffset since, DateTimeOffset now)
    {
        var cron = CronExpression.Parse(expression.Trim(), CronFormat.Standard);
        DateTimeOffset? latest = null;
        var next = cron.GetNextOccurrence(since, TimeZoneInfo.Utc);
        while (next is { } due && due <= now)
        {
            latest = due;
            next = cron.GetNextOccurrence(due, TimeZoneInfo.Utc);
        }

        return latest;
    }
}
