using MudBlazor;

namespace OperaStudio.Web.Components.Layout;

/// <summary>The product's look: dark slate surfaces with orange accents.</summary>
public static class OperaTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteDark = new PaletteDark
        {
            Primary = "#f97316",
            PrimaryContrastText = "#0b1120",
            Secondary = "#94a3b8",
            Tertiary = "#38bdf8",
            Background = "#020617",
            BackgroundGray = "#0b1120",
            Surface = "#0f172a",
            AppbarBackground = "#0b1120",
            AppbarText = "#e2e8f0",
            DrawerBackground = "#0b1120",
            DrawerText = "#cbd5e1",
            TextPrimary = "#e2e8f0",
            TextSecondary = "#94a3b8",
            ActionDefault = "#94a3b8",
            LinesDefault = "#1e293b",
            LinesInputs = "#334155",
            Divider = "#1e293b",
            TableLines = "#1e293b",
            Success = "#22c55e",
            Warning = "#f59e0b",
            Error = "#ef4444",
            Info = "#38bdf8",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Inter", "Segoe UI", "Roboto", "Liberation Sans", "Helvetica", "Arial", "sans-serif"],
            },
            // Sentence-case buttons, as in a browser's own chrome, rather than Material's all caps.
            Button = new ButtonTypography { TextTransform = "none", FontWeight = "600" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
