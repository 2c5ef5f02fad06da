using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The built tree a series leaves on its server for the next series of the same kind (docs/series.md):
/// one per submitter, repository, architecture, toolchain and configuration. A submitter's tree is
/// never handed to another: it was built by their code, and its objects could be poisoned.
/// </summary>
public static class SeriesTree
{
    public const string Folder = "trees";
    /// <summary>How the pool names a held tree among a server's cached repositories (placement affinity).</summary>
    public const string AffinityPrefix = "tree:";

    /// <summary>The tree's name (24 hex digits), or null for a job that is not a series.</summary>
    public static string? Key(BuildJobRequest r)
    {
        if (r.Series is null) return null;
        var c = r.BuildConfig;
        var document = JsonSerializer.Serialize(new object?[]
        {
            "series-tree-v1", BuildPlan.CacheOwner(r.SubmittedBy), r.SourceRepository, r.TargetArchitecture, r.Toolchain ?? "",
            c.KernelConfig ?? "", c.KconfigFragments, c.MakeVariables.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"),
            c.ExtraMakeArgs, c.BootTest, c.Ccache,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document)))[..24];
    }

    public static string PathFor(string cacheRoot, string key) => $"{cacheRoot.TrimEnd('/')}/{Folder}/{key}";
}
