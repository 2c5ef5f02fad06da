using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Cluster;

/// <summary>One membership event of `cluster tail` as a line: time, type, address, status, roles.</summary>
public static class ClusterEventLine
{
    public static string Format(SseEvent e)
    {
        JsonNode? data;
        try { data = JsonNode.Parse(e.Data); }
        catch (JsonException) { return $"{e.Type}  {e.Data}"; }
        var roles = Json.Strings(data, "roles");
        var parts = new[]
        {
            Durations.Timestamp(Json.Str(data, "at")) ?? "-",
            Json.Str(data, "type") ?? e.Type,
            Json.Str(data, "address") ?? "-",
            Json.Str(data, "status"),
            roles.Count > 0 ? $"[{string.Join(",", roles)}]" : null,
        };
        return string.Join("  ", parts.Where(p => p is not null));
    }
}
