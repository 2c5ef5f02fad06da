using System.Text.Json.Nodes;
using KernelFarm.Cli.Jobs;

namespace KernelFarm.Cli.Bisect;

/// <summary>
/// `bisect start` flags: the build every step makes (<see cref="JobSpec"/>, over a --file as for
/// `jobs submit`), the good and bad ends, the criterion and how many builds may run at once.
/// What a bisection needs beyond the repository and the architecture (good, bad, the criterion, the
/// toolchain) is the farm's to check: its 400 names every field missing at once.
/// </summary>
public sealed record BisectionSpec
{
    /// <summary>The criterion kinds, as the farm names them (docs/bisection.md).</summary>
    public static readonly IReadOnlyList<string> Criteria = ["build_fails", "diagnostic", "boot_fails", "size_grows"];

    /// <summary>The build fields; its commit is not used (each step builds its own) and --boot-test is the boot_fails criterion's.</summary>
    public JobSpec Job { get; init; } = new();
    public string? Good { get; init; }
    public string? Bad { get; init; }
    /// <summary>--criterion: replaces the file's criterion as a whole.</summary>
    public string? Criterion { get; init; }
    /// <summary>--match: criterion.match (build_fails, diagnostic), over the file's criterion or --criterion.</summary>
    public string? Match { get; init; }
    /// <summary>--threshold-bytes: criterion.threshold_bytes (size_grows).</summary>
    public long? ThresholdBytes { get; init; }
    /// <summary>--parallel: max_parallel (null: the farm uses the free slots at each round).</summary>
    public int? Parallel { get; init; }

    /// <summary>The POST /api/v1/bisections body.</summary>
    public JsonObject ToRequest(JsonObject? file)
    {
        if (Job.Commit is not null) throw CliException.Usage("a bisection builds the commits between --good and --bad: it takes no --commit");
        var body = Job.ToRequest(file);
        body.Remove("commit_hash");
        if (Good is not null) body["good"] = Good;
        if (Bad is not null) body["bad"] = Bad;
        if (Parallel is not null) body["max_parallel"] = Parallel.Value;

        if (body["criterion"] is not null and not JsonObject) throw CliException.Usage("criterion in the file must be an object: {\"kind\": \"build_fails\", …}");
        if (Criterion is not null) body["criterion"] = new JsonObject { ["kind"] = Criterion };
        var criterion = body["criterion"] as JsonObject;
        if (criterion is null && (Match is not null || ThresholdBytes is not null))
            throw CliException.Usage($"{(Match is not null ? "--match" : "--threshold-bytes")} refines a criterion: give --criterion {string.Join('|', Criteria)}");
        if (criterion is not null)
        {
            if (Match is not null) criterion["match"] = Match;
            if (ThresholdBytes is not null) criterion["threshold_bytes"] = ThresholdBytes.Value;
        }
        return body;
    }
}
