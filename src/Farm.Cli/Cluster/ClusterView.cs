using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Cluster;

/// <summary>`cluster show` and `cluster sharding` for people.</summary>
public static class ClusterView
{
    public static string Show(JsonNode c)
    {
        var sb = new StringBuilder(new Details()
            .Add("self", Json.Str(c, "self"))
            .Add("self uid", Json.Str(c, "self_uid"))
            .Add("status", Json.Str(c, "status"))
            .Add("leader", Json.Str(c, "leader") ?? "none")
            .Render());
        var members = new Table("ADDRESS", "UID", "STATUS", "ROLES", "REACHABLE").AlignRight(1);
        foreach (var m in Json.Array(c, "members"))
            members.Add(Json.Str(m, "address"), Json.Str(m, "uid"), Json.Str(m, "status"),
                string.Join(",", Json.Strings(m, "roles")), Json.Bool(m, "reachable") == false ? "no" : "yes");
        sb.Append('\n').Append(members.Render());
        if (c["singletons"] is JsonObject singletons && singletons.Count > 0)
        {
            var table = new Table("SINGLETON", "RUNS ON");
            foreach (var (name, at) in singletons) table.Add(name, Json.Str(at) ?? "none");
            sb.Append('\n').Append(table.Render());
        }
        return sb.ToString();
    }

    public static string Sharding(JsonNode s)
    {
        var table = new Table("REGION", "SHARD", "ENTITIES").AlignRight(2);
        foreach (var region in Json.Array(s, "regions"))
        {
            var shards = Json.Array(region, "shards");
            if (shards.Count == 0) table.Add(Json.Str(region, "address"), null, "0");
            foreach (var shard in shards.OrderBy(x => Json.Str(x, "id"), ShardIdOrder.Instance))
                table.Add(Json.Str(region, "address"), Json.Str(shard, "id"), Json.Str(shard, "entities"));
        }
        return table.Render() + $"total entities: {Json.Str(s, "total_entities") ?? "?"}\n";
    }

    /// <summary>Shard ids are numbers as text: order 2 before 10.</summary>
    private sealed class ShardIdOrder : IComparer<string?>
    {
        public static readonly ShardIdOrder Instance = new();

        public int Compare(string? x, string? y) =>
            long.TryParse(x, out var a) && long.TryParse(y, out var b) ? a.CompareTo(b) : string.CompareOrdinal(x, y);
    }
}
