namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// A .NET project the AppHost runs. The build generates one class per service project in the <c>Projects</c>
/// namespace (see the AppHost's .csproj), as Aspire does, so <c>AddProject&lt;Projects.X&gt;</c> reads the same.
/// </summary>
public interface IProjectMetadata
{
    /// <summary>The project file.</summary>
    string ProjectPath { get; }

    /// <summary>The built assembly the AppHost runs with <c>dotnet</c>.</summary>
    string TargetPath { get; }
}
