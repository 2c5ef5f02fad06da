using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Plans;

/// <summary>One build of a plan as the API shows it (PlanView.builds[]), read leniently.</summary>
public sealed record PlanBuild(int Index, string Path, string Name, string Arch, string Toolchain,
    IReadOnlyList<string> Kconfig, string State, string? JobId, string? Unsupported)
{
    public static PlanBuild From(JsonNode b) => new(
        (int)(Json.Long(b, "index") ?? -1), Json.Str(b, "path") ?? "", Json.Str(b, "name") ?? "",
        Json.Str(b, "target_arch") ?? "?", Json.Str(b, "toolchain") ?? "?", Json.Strings(b, "kconfig"),
        Json.Str(b, "state") ?? "unknown", Json.Str(b, "job_id"), Json.Str(b, "unsupported"));

    public static IReadOnlyList<PlanBuild> All(JsonNode? plan) => Json.Array(plan, "builds").Select(From).ToList();

    /// <summary>The kconfig list joined with '+' (long items shortened as the farm's build names do); none is defconfig.</summary>
    public string Config => Kconfig.Count == 0 ? "defconfig" : string.Join('+', Kconfig.Select(Short));

    private static string Short(string item) => item.Length <= 40 ? item : item[..37] + "...";
}
