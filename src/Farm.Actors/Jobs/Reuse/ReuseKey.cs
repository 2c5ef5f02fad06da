using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs.Reuse;

/// <summary>
/// A build's inputs as one key: two jobs with the same key build the same bytes (the farm's builds are
/// reproducible, docs/reuse.md), so a later job takes the earlier one's result. Everything that can change
/// the output is in it — the commit, the configuration, the toolchain's exact compiler on the server,
/// architecture, targets, make variables and arguments, environment, the artifact patterns — and so are
/// the repository and the submitter, so a result is never handed to someone who did not build it.
/// Only what the farm itself knows goes in: the commit the request named (git checks it out exactly),
/// the compiler the pool's probe found; never a fact the build printed into its own log.
/// </summary>
public static partial class ReuseKey
{
    /// <summary>Bump when the key's meaning changes: results keyed before are then never matched.</summary>
    public const string Version = "v1";

    /// <summary>Why a job's result can neither be reused nor reuse another's, or null when it can.</summary>
    public static string? Ineligible(BuildJobRequest r)
    {
        if (!FullCommit().IsMatch(r.CommitHash)) return "commit_hash is not a full commit id (a branch moves)";
        if (r.Toolchain is null) return "no toolchain named (the farm would choose one per server)";
        if (r.BuildConfig.ContainerImage is not null) return "a container image (its compiler is not probed)";
        if (r.Series is not null) return "a patch series (its report is built from the steps it ran)";
        return null;
    }

    /// <summary>The key of <paramref name="r"/> built with <paramref name="compiler"/> (a <see cref="Messages.Servers.DetectedToolchain.Identity"/>); null when ineligible.</summary>
    public static string? Of(BuildJobRequest r, string? compiler)
    {
        if (Ineligible(r) is not null || string.IsNullOrEmpty(compiler)) return null;
        var c = r.BuildConfig;
        var inputs = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["version"] = Version,
            ["repository"] = r.SourceRepository,
            ["commit"] = r.CommitHash.ToLowerInvariant(),
            ["submitted_by"] = r.SubmittedBy,
            ["architecture"] = r.TargetArchitecture,
            ["toolchain"] = r.Toolchain,
            ["compiler"] = compiler,
            ["kernel_config"] = c.KernelConfig,
            ["kconfig_fragments"] = c.KconfigFragments,
            ["targets"] = c.Targets,
            ["enable_modules"] = c.EnableModules,
            ["build_dtbs"] = c.BuildDtbs,
            ["make_variables"] = new SortedDictionary<string, string>(c.MakeVariables.ToDictionary(), StringComparer.Ordinal),
            ["extra_make_args"] = c.ExtraMakeArgs,
            // values too: an environment variable can change the build (secret ones only ever appear hashed)
            ["custom_env"] = new SortedDictionary<string, string>(c.CustomEnv.ToDictionary(), StringComparer.Ordinal),
            ["git_depth"] = c.GitDepth, // git describe, and so a kernel's release string, can depend on it
            ["git_submodules"] = c.GitSubmodules,
            ["artifact_patterns"] = c.EffectiveArtifactPatterns,
            ["boot_test"] = c.BootTest,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(inputs);
        return Version + ":" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    [GeneratedRegex("^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")]
    private static partial Regex FullCommit();
}
