using System.Text.RegularExpressions;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// metadata.json: what was built with what, with TuxMake's field names where they apply (build,
/// results, compiler, git, source, vmlinux, hardware), plus the farm's own (job, server, attempts).
/// </summary>
public static partial class JobMetadata
{
    /// <param name="container">The container the build ran in (null: on the server itself, over SSH).</param>
    public static object Describe(JobRecord job, JobFailure? failure, BuildLogFacts facts, IReadOnlyList<string> targets, int jobs,
        KernelFarm.Actors.Execution.ContainerSpec? container = null)
    {
        var r = job.Request;
        var c = r.BuildConfig;
        var durations = new Dictionary<string, double>();
        for (var i = 0; i + 1 < job.Transitions.Count; i++)
        {
            var name = job.Transitions[i].Status.ToString().ToLowerInvariant();
            durations[name] = durations.GetValueOrDefault(name) + (job.Transitions[i + 1].At - job.Transitions[i].At).TotalSeconds;
        }
        var compilerLine = facts.Fact("compiler");
        var vmlinux = facts.Fact("vmlinux_size")?.Split(' ');
        return new Dictionary<string, object?>
        {
            ["job_id"] = job.Id,
            ["build"] = new Dictionary<string, object?>
            {
                ["targets"] = targets,
                ["target_arch"] = r.TargetArchitecture,
                ["toolchain"] = job.Toolchain ?? r.Toolchain,
                ["kconfig"] = c.KernelConfig ?? "defconfig",
                ["kconfig_add"] = c.KconfigFragments,
                ["make_variables"] = c.MakeVariables,
                ["make_args"] = c.ExtraMakeArgs,
                ["jobs"] = jobs,
                ["runtime"] = container?.Runtime ?? "ssh",
                // names only: values may be secret (secret_env) and are in the job's request anyway
                ["environment"] = c.CustomEnv.Keys.Order(StringComparer.Ordinal).ToList(),
                ["reproducible"] = new Dictionary<string, object?>
                {
                    ["KBUILD_BUILD_USER"] = "kernelfarm",
                    ["KBUILD_BUILD_HOST"] = "kernelfarm",
                    ["KBUILD_BUILD_TIMESTAMP"] = "the commit's time",
                },
                ["server"] = job.ServerId,
                ["submitted_by"] = r.SubmittedBy,
            },
            ["results"] = new Dictionary<string, object?>
            {
                ["status"] = failure is null ? "PASS" : "FAIL",
                ["failure"] = failure,
                ["targets"] = facts.Targets.ToDictionary(t => t.Name, t => new Dictionary<string, object?>
                {
                    ["status"] = t.Passed ? "PASS" : "FAIL",
                    ["duration"] = t.Seconds,
                }),
                ["artifacts"] = job.Artifacts.Select(a => a.Path).ToList(),
                ["errors"] = facts.Errors,
                ["warnings"] = facts.Warnings,
                ["durations"] = durations,
                ["attempts"] = job.Attempts.Count,
            },
            ["runtime"] = container is null ? null : new Dictionary<string, object?>
            {
                ["name"] = container.Runtime,
                ["image_name"] = container.Image,
                ["cpus"] = container.Cpus,
                ["memory_mb"] = container.MemoryMb,
            },
            // ccache where the server has it and the job did not opt out: this build's own hits and misses
            ["ccache"] = facts.Fact("ccache") is not { } ccache ? null : new Dictionary<string, object?>
            {
                ["version"] = ccache,
                ["hits"] = int.TryParse(facts.Fact("ccache_hits"), out var hits) ? hits : null,
                ["misses"] = int.TryParse(facts.Fact("ccache_misses"), out var misses) ? misses : null,
            },
            // The boot test's result (build_config.boot_test): {"status": "pass"|"fail", "duration_s", "reason"}.
            ["boot"] = job.Boot,
            ["compiler"] = compilerLine is null ? null : new Dictionary<string, object?>
            {
                ["name"] = compilerLine.Contains("clang", StringComparison.Ordinal) ? "clang" : "gcc",
                ["version"] = VersionNumber().Match(compilerLine) is { Success: true } m ? m.Value : null,
                ["version_full"] = compilerLine,
            },
            ["git"] = new Dictionary<string, object?>
            {
                ["url"] = r.SourceRepository,
                ["branch"] = r.Branch,
                ["commit"] = facts.Fact("git_commit") ?? r.CommitHash,
                ["describe"] = facts.Fact("git_describe"),
            },
            ["source"] = new Dictionary<string, object?>
            {
                ["kernelversion"] = facts.Fact("kernelversion"),
                ["kernelrelease"] = facts.Fact("kernelrelease"),
            },
            ["vmlinux"] = vmlinux is { Length: 3 } && vmlinux.All(v => long.TryParse(v, out _))
                ? new Dictionary<string, object?>
                {
                    ["text_size"] = long.Parse(vmlinux[0]),
                    ["data_size"] = long.Parse(vmlinux[1]),
                    ["bss_size"] = long.Parse(vmlinux[2]),
                }
                : null,
            ["hardware"] = new Dictionary<string, object?>
            {
                ["cores"] = int.TryParse(facts.Fact("hardware_cores"), out var cores) ? cores : null,
                ["ram"] = long.TryParse(facts.Fact("hardware_ram_kb"), out var kb) ? kb * 1024 : null,
            },
        };
    }

    // the last dotted version on gcc's or clang's first --version line: "gcc (Debian 12.2.0-14) 12.2.0" → 12.2.0
    [GeneratedRegex(@"\d+\.\d+(\.\d+)?(?!.*\d+\.\d+)")]
    private static partial Regex VersionNumber();
}
