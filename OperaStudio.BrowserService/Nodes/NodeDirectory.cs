using System.Text.Json;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using StackExchange.Redis;

namespace OperaStudio.BrowserService.Nodes;

/// <summary>
/// The nodes of the cluster as Redis knows them: each node's own entry (<see cref="NodeDto"/>) with a short TTL that
/// its heartbeat renews. An id in the index whose entry expired belongs to a dead node.
/// </summary>
public sealed partial class NodeDirectory(
    IConnectionMultiplexer redis, IOptions<NodeOptions> options, IOptions<Sessions.SessionOptions> sessions, ILogger<NodeDirectory> logger)
{
    public string NodeId { get; } = sessions.Value.ResolveNodeId();

    public TimeSpan Ttl { get; } = TimeSpan.FromSeconds(options.Value.TtlSeconds);

    /// <summary>The live nodes (this one included once it announced itself); null when Redis cannot be read.</summary>
    public async Task<IReadOnlyList<NodeDto>?> ListAsync()
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var db = redis.GetDatabase();
            var ids = await db.SetMembersAsync(ClusterKeys.NodeIndex);
            var entries = await db.StringGetAsync([.. ids.Select(id => (RedisKey)ClusterKeys.Node(id!))]);
            var live = new List<NodeDto>(ids.Length);
            for (var i = 0; i < ids.Length; i++)
            {
                if (entries[i].IsNullOrEmpty)
                {
                    // Its node stopped renewing it: dead. Pruned so the index does not grow with every restart.
                    await db.SetRemoveAsync(ClusterKeys.NodeIndex, ids[i]);
                    continue;
                }

                if (JsonSerializer.Deserialize<NodeDto>((string)entries[i]!, ClusterKeys.Json) is { } node)
                {
                    live.Add(node);
                }
            }

            return live;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            LogUnavailable(ex);
            return null;
        }
    }

    /// <summary>
    /// Whether a node still renews its entry. When Redis cannot say, the node is taken as alive: restoring a session
    /// that another node may still run would put it on two nodes.
    /// </summary>
    public async Task<bool> IsAliveAsync(string nodeId)
    {
        if (!redis.IsConnected)
        {
            return true;
        }

        try
        {
            return await redis.GetDatabase().KeyExistsAsync(ClusterKeys.Node(nodeId));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(ex);
            return true;
        }
    }

    internal async Task AnnounceAsync(NodeDto node)
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var set = batch.StringSetAsync(ClusterKeys.Node(node.Id), JsonSerializer.Serialize(node, ClusterKeys.Json), Ttl);
        var index = batch.SetAddAsync(ClusterKeys.NodeIndex, node.Id);
        batch.Execute();
        await Task.WhenAll(set, index);
    }

    /// <summary>Leaves the directory at once (a stop), rather than after the TTL.</summary>
    internal async Task WithdrawAsync()
    {
        var db = redis.GetDatabase();
        await db.KeyDeleteAsync(ClusterKeys.Node(NodeId));
        await db.SetRemoveAsync(ClusterKeys.NodeIndex, NodeId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node directory in Redis cannot be read")]
    private partial void LogUnavailable(Exception exception);
}
