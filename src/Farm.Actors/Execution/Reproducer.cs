using System.Text;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// reproducer.sh: the job as a plain script a developer runs by hand on a machine with the same
/// toolchain — the exact commit, config, fragments, environment and make commands, with the same
/// fixed KBUILD_BUILD_* values, so the result matches the farm's byte for byte. Secret
/// environment values are not written: the script asks for them.
/// </summary>
public static class Reproducer
{
    public static string Generate(BuildPlan plan, string? resolvedCommit, IReadOnlyCollection<string> secretEnv)
    {
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        var commit = resolvedCommit ?? plan.CommitHash;

        L("#!/bin/bash");
        L($"# Rebuilds KernelFarm job {plan.JobId} by hand: {plan.Architecture.Name}, {plan.KernelConfig}, commit {commit}.");
        L("# Usage: reproducer.sh [work-directory]   (default: ./kfarm-reproducer)");
        L("set -eu");
        L("export LC_ALL=C");
        L("WS=$(realpath -m \"${1:-kfarm-reproducer}\")");
        L("mkdir -p \"$WS\" && cd \"$WS\"");
        L("rm -rf source build && mkdir -p build");
        L($"git clone --no-tags --branch {Quote(plan.Branch)} -- {Quote(plan.SourceRepository)} source");
        if (!commit.Equals("HEAD", StringComparison.OrdinalIgnoreCase))
        {
            L($"git -C source checkout -q --detach {Quote(commit)} 2>/dev/null || {{ git -C source fetch -q origin {Quote(commit)} && git -C source checkout -q --detach FETCH_HEAD; }}");
        }
        if (plan.GitSubmodules) L("git -C source submodule update --init --recursive");
        L();
        foreach (var (key, value) in plan.CustomEnv.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            L(secretEnv.Contains(key)
                ? $"export {key}=\"${{{key}:?set {key}: its value is secret and was not written here}}\""
                : $"export {key}={Quote(value)}");
        L("export KBUILD_BUILD_USER=kernelfarm KBUILD_BUILD_HOST=kernelfarm");
        L("export KBUILD_BUILD_TIMESTAMP=\"@$(git -C source log -1 --format=%ct)\"");
        L($"MAKE_CMD=({BuildScript.MakeCommand(plan, "$WS")})");
        L();
        if (plan.KernelConfig.Contains('/'))
        {
            L($"cp -- source/{plan.KernelConfig} build/.config");
            L("\"${MAKE_CMD[@]}\" olddefconfig");
        }
        else L($"\"${{MAKE_CMD[@]}}\" {plan.KernelConfig}");
        if (plan.KconfigFragments.Count > 0 || plan.Boot is not null)
        {
            var files = new List<string>();
            if (plan.Boot is not null)
            {   // boot_test: the farm's boot fragment, first as in the build, so the job's fragments win
                L(BootTest.WriteFragment(plan.Boot));
                files.Add($"\"$WS/{BootTest.FragmentFile}\"");
            }
            var inline = plan.KconfigFragments.Where(BuildScript.IsInlineFragment).ToList();
            if (inline.Count > 0)
            {
                L("printf '%s\\n' " + string.Join(' ', inline.Select(Quote)) + " > fragment.config");
                files.Add("\"$WS/fragment.config\"");
            }
            files.AddRange(plan.KconfigFragments.Where(f => !BuildScript.IsInlineFragment(f)).Select(f => $"\"$WS/source/\"{Quote(f)}"));
            L($"(cd source && ./scripts/kconfig/merge_config.sh -m -O \"$WS/build\" \"$WS/build/.config\" {string.Join(' ', files)})");
            L("\"${MAKE_CMD[@]}\" olddefconfig");
        }
        var extra = string.Join(' ', plan.ExtraMakeArgs.Select(Quote));
        var jobs = plan.ExtraMakeArgs.Any(a => a.StartsWith("-j", StringComparison.Ordinal)) ? "" : "-j\"$(nproc)\" ";
        var args = $"{jobs}{extra}{(extra.Length > 0 ? " " : "")}";
        var targets = plan.EffectiveTargets;
        if (targets.Contains(BuildTargets.Kernel)) L($"\"${{MAKE_CMD[@]}}\" {args}{plan.Architecture.ImageTarget}");
        if (targets.Contains(BuildTargets.Modules)) L($"if grep -q '^CONFIG_MODULES=y' build/.config; then \"${{MAKE_CMD[@]}}\" {args}modules; fi");
        if (targets.Contains(BuildTargets.Dtbs)) L($"\"${{MAKE_CMD[@]}}\" {args}dtbs");
        if (targets.Contains(BuildTargets.Headers)) L("\"${MAKE_CMD[@]}\" INSTALL_HDR_PATH=\"$WS/headers\" headers_install");
        L("echo \"done: $WS/build\"");
        return s.ToString();
    }
}
