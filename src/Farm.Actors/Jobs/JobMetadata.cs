using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>metadata.json: what was built with what, with TuxMake's field names where they apply.</summary>
public static class JobMetadata
{
    public static object Describe(JobRecord job, JobFailure? failure)
    {
        var r = job.Request;
        var durations = new Dictionary<string, double>();
        for (var i = 0; i + 1 < job.Transitions.Count; i++)
        {
            var name = job.Transitions[i].Status.ToString().ToLowerInvariant();
            durations[name] = durations.GetValueOrDefault(name) + (job.Transitions[i + 1].At - job.Transitions[i].At).TotalSeconds;
        }
        return new Dictionary<string, object?>
        {
            ["job_id"] = job.Id,
            ["build"] = new Dictionary<string, object?>
            {
                ["target_arch"] = r.TargetArchitecture,
                ["toolchain"] = job.Toolchain,
                ["kconfig"] = r.BuildConfig.KernelConfig ?? "defconfig",
                ["kconfig_add"] = r.BuildConfig.KconfigFragments,
                ["make_args"] = r.BuildConfig.ExtraMakeArgs,
                ["environment"] = r.BuildConfig.CustomEnv.Keys.Order(StringComparer.Ordinal).ToList(),
                ["server"] = job.ServerId,
            },
            ["git"] = new Dictionary<string, object?>
            {
                ["url"] = r.SourceRepository,
                ["branch"] = r.Branch,
                ["commit"] = r.CommitHash,
            },
            ["results"] = new Dictionary<string, object?>
            {
                ["status"] = failure is null ? "PASS" : "FAIL",
                ["failure"] = failure,
                ["artifacts"] = job.Artifacts.Select(a => a.Path).ToList(),
                ["durations"] = durations,
            },
        };
    }
}
