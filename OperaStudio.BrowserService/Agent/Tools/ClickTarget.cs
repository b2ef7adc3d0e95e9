namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// What a click aims at, exactly one of: a snapshot ref, a description (resolved against a fresh snapshot), the
/// visible text of an element, or a point of the viewport in CSS pixels (whatever is on top there).
/// </summary>
public sealed record ClickTarget(string? Ref = null, string? Description = null, string? Text = null, (double X, double Y)? Point = null)
{
    /// <summary>Checks that exactly one way is given (a point needs both coordinates).</summary>
    public static ClickTarget Of(string? reference, string? description, string? text, double? x, double? y)
    {
        if (x.HasValue != y.HasValue)
        {
            throw new ArgumentException("click at a point needs both x and y.");
        }

        var given = new[] { reference is not null, description is not null, text is not null, x.HasValue }.Count(g => g);
        return given == 1
            ? new ClickTarget(reference, description, text, x.HasValue ? (x.Value, y!.Value) : null)
            : throw new ArgumentException("click takes exactly one of ref, description, text, or x and y.");
    }

    /// <summary>The arguments as the step log shows them.</summary>
    public object ForLog() => new { @ref = Ref, description = Description, text = Text, x = Point?.X, y = Point?.Y };
}
