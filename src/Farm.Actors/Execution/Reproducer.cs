using System.Text;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// reproducer.sh: the job as a plain script a developer runs by hand on a machine with the same
/// toolchain — the exact commit, config, fragments, environment and make commands, with the same
/// fixed KBUILD_BUILD_* values, so the result matches the farm's byte for byte. The configure
/// commands are the build script's own (<see cref="ConfigureSteps"/>). Secret environment values
/// are not written: the script asks for them.
/// </summary>
public static class Reproducer
{
    public static string Generate(BuildPlan plan, string? resolvedCommit, IReadOnlyCollection<string> secretEnv)
    {
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        var commit = resolvedCommit ?? plan.CommitHash;

        L("#!/bin/bash");
        L($"# Rebuilds KernelFarm job {plan.JobId} by hand: {plan.Architecture.Name}, {plan.Toolchain}, {plan.KernelConfig}, commit {commit}.");
        L("# Usage: reproducer.sh [work-directory]   (default: ./kfarm-reproducer)");
        if (plan.Container is { } c)
        {
            L($"# The farm built it in the {c.Runtime} image {c.Image}; to do the same:");
            L($"#   {c.Runtime} run --rm -it --network=host -v \"$PWD:$PWD\" -w \"$PWD\" {Quote(c.Image)} bash reproducer.sh");
        }
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
        L($"MAKE_CMD=({BuildScript.MakeCommand(plan, "$WS", ccache: false)})");
        L();
        foreach (var command in ConfigureSteps.For(plan, "\"${MAKE_CMD[@]}\"", "$WS"))
            L(command.Text);
        var args = BuildScript.MakeArgs(plan, "\"$(nproc)\"");
        var targets = plan.EffectiveTargets;
        if (targets.Contains(BuildTargets.Kernel)) L($"\"${{MAKE_CMD[@]}}\" {args}{plan.Architecture.ImageTarget}");
        if (targets.Contains(BuildTargets.Modules)) L($"if grep -q '^CONFIG_MODULES=y' build/.config; then \"${{MAKE_CMD[@]}}\" {args}modules; fi");
        if (targets.Contains(BuildTargets.Dtbs)) L($"\"${{MAKE_CMD[@]}}\" {args}dtbs");
        if (targets.Contains(BuildTargets.Headers)) L("\"${MAKE_CMD[@]}\" INSTALL_HDR_PATH=\"$WS/headers\" headers_install");
        L("echo \"done: $WS/build\"");
        return s.ToString();
    }
}
