namespace OperaStudio.Tests.AppHost;

/// <summary>AppHost runs start whole systems; one at a time keeps them within two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "AppHost runs";
}
