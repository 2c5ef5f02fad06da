using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Jobs;

/// <summary>One line of a job's artifact manifest (GET …/artifacts).</summary>
public sealed record ArtifactEntry(string Path, long Size, string Sha256)
{
    public static IReadOnlyList<ArtifactEntry> FromManifest(JsonNode manifest) =>
        Json.Array(manifest, "artifacts")
            .Select(a => new ArtifactEntry(Json.Str(a, "path") ?? "", Json.Long(a, "size") ?? -1, Json.Str(a, "sha256") ?? ""))
            .ToList();
}
