namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>An element's box in the viewport, in whole CSS pixels (Playwright's <c>[box=x,y,width,height]</c>).</summary>
public readonly record struct ElementBox(int X, int Y, int Width, int Height)
{
    public bool Contains(ElementBox other) =>
        other.X >= X && other.Y >= Y && other.X + other.Width <= X + Width && other.Y + other.Height <= Y + Height;

    public static ElementBox? Parse(string text)
    {
        var parts = text.Split(',');
        return parts.Length == 4
            && int.TryParse(parts[0], out var x) && int.TryParse(parts[1], out var y)
            && int.TryParse(parts[2], out var width) && int.TryParse(parts[3], out var height)
            ? new ElementBox(x, y, width, height)
            : null;
    }
}
