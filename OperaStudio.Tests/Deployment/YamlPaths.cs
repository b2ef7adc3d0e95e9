using YamlDotNet.RepresentationModel;

namespace OperaStudio.Tests.Deployment;

/// <summary>Walks parsed YAML by key, as the manifest checks read it: a missing key is null, never an exception.</summary>
internal static class YamlPaths
{
    public static YamlNode? At(this YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
        {
            current = current is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
        }

        return current;
    }

    public static string? Scalar(this YamlNode node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    public static YamlMappingNode Mapping(this YamlNode node, params string[] path) =>
        node.At(path) as YamlMappingNode
        ?? throw new Xunit.Sdk.XunitException($"No mapping at {string.Join('.', path)} in:\n{node}");
}
