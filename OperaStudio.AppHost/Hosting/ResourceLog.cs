namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// The AppHost's console: every child's line is prefixed with its resource name (coloured on a terminal),
/// and the AppHost's own messages come as "[apphost]". Writes are serialised so lines never interleave.
/// </summary>
public sealed class ResourceLog
{
    private static readonly ConsoleColor[] Palette =
        [ConsoleColor.Cyan, ConsoleColor.Magenta, ConsoleColor.Green, ConsoleColor.Yellow, ConsoleColor.Blue];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ConsoleColor> _colors = new(StringComparer.Ordinal);
    private readonly bool _useColor = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private int _width = 8;

    public void Register(string name) => _width = Math.Max(_width, name.Length);

    public Action<string> For(string name) => line => Write(name, line);

    public void Info(string message) => Write("apphost", message);

    public void Error(string message) => Write("apphost", message, ConsoleColor.Red);

    public void Raw(string text)
    {
        lock (_gate)
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }

    private void Write(string name, string line, ConsoleColor? lineColor = null)
    {
        lock (_gate)
        {
            var prefix = $"[{name}]".PadRight(_width + 3);
            if (!_useColor)
            {
                Console.Out.WriteLine(prefix + line);
                Console.Out.Flush();
                return;
            }

            if (!_colors.TryGetValue(name, out var color))
            {
                color = name == "apphost" ? ConsoleColor.White : Palette[_colors.Count % Palette.Length];
                _colors[name] = color;
            }

            Console.ForegroundColor = color;
            Console.Write(prefix);
            if (lineColor is { } c)
            {
                Console.ForegroundColor = c;
            }
            else
            {
                Console.ResetColor();
            }

            Console.WriteLine(line);
            Console.ResetColor();
        }
    }
}
