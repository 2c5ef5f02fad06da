using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The commands that make a job's .config, in order: the config target (or an in-tree config file
/// and olddefconfig), then the boot test's fragment, the inline fragments and the tree's fragment
/// files merged with merge_config.sh, and olddefconfig again. One list for the build script and
/// reproducer.sh, so that a rebuild by hand makes the same .config.
/// </summary>
public static class ConfigureSteps
{
    /// <summary>Who runs a command and how.</summary>
    public enum Kind
    {
        /// <summary>A plain command line (no redirection or subshell): traced, and in the build script sandboxed.</summary>
        Traced,
        /// <summary>The farm writes its own files (fragments); runs as the agent, before any of the tree's code.</summary>
        Farm,
        /// <summary>Runs the tree's own scripts through a subshell: in the build script, inside the sandbox with bash -c.</summary>
        Tree,
    }

    public sealed record Command(string Text, Kind Kind)
    {
        public bool Traced => Kind == Kind.Traced;
    }

    /// <summary>The inline fragment lines (CONFIG_X=y, # CONFIG_Y is not set) are written to this workspace file.</summary>
    public const string InlineFragmentFile = BuildSandbox.FragmentsFolder + "/kfarm-fragment.config";

    /// <param name="make">The make command as a shell word list, e.g. <c>"${KFARM_MAKE[@]}"</c>.</param>
    /// <param name="workspace">The workspace as a shell word, e.g. <c>$KFARM_WS</c>; commands run in it.</param>
    public static IReadOnlyList<Command> For(BuildPlan plan, string make, string workspace)
    {
        var commands = new List<Command>();
        if (plan.KernelConfig.Contains('/'))
        {   // validated to a safe relative path inside the tree
            commands.Add(new($"cp -- source/{plan.KernelConfig} build/.config", Kind.Traced));
            commands.Add(new($"{make} olddefconfig", Kind.Traced));
        }
        else commands.Add(new($"{make} {plan.KernelConfig}", Kind.Traced));

        // kbuild's fragment targets (kvm_guest.config: kernel/configs/ and arch/*/configs/), in order;
        // each merges and runs olddefconfig itself. The lines and files below are merged after them and win.
        foreach (var target in plan.KconfigFragments.Where(IsMakeTarget))
            commands.Add(new($"{make} {target}", Kind.Traced));
        var merged = plan.KconfigFragments.Where(f => !IsMakeTarget(f)).ToList();

        if (merged.Count == 0 && plan.Boot is null) return commands;
        var files = new List<string>();
        if (plan.Boot is not null)
        {   // first: the job's own fragments are merged after it and win (BootTest)
            commands.Add(new(BootTest.WriteFragment(plan.Boot), Kind.Farm));
            files.Add($"\"{workspace}/{BootTest.FragmentFile}\"");
        }
        var inline = merged.Where(IsInline).ToList();
        if (inline.Count > 0)
        {
            commands.Add(new($"mkdir -p {BuildSandbox.FragmentsFolder} && printf '%s\\n' " + string.Join(' ', inline.Select(Quote)) + " > " + InlineFragmentFile, Kind.Farm));
            files.Add($"\"{workspace}/{InlineFragmentFile}\"");
        }
        files.AddRange(merged.Where(f => !IsInline(f)).Select(f => $"\"{workspace}/source/\"{Quote(f)}"));
        commands.Add(new($"(cd ./source && ./scripts/kconfig/merge_config.sh -m -O \"{workspace}/build\" \"{workspace}/build/.config\" {string.Join(' ', files)})", Kind.Tree));
        commands.Add(new($"{make} olddefconfig", Kind.Traced));
        return commands;
    }

    /// <summary>A fragment named without a path, <c>NAME.config</c>: kbuild's target for kernel/configs/NAME.config and arch/*/configs/NAME.config.
    /// The validator allows only letters, digits, '_', '-' and '.' in NAME, so it is one plain make goal.</summary>
    public static bool IsMakeTarget(string fragment) => !IsInline(fragment) && Validation.JobRequestValidator.IsKconfigTarget(fragment);

    public static bool IsInline(string fragment) =>
        fragment.StartsWith("CONFIG_", StringComparison.Ordinal) || fragment.StartsWith("# CONFIG_", StringComparison.Ordinal);
}
