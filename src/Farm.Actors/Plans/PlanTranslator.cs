using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Plans;

/// <summary>Where a plan's builds come from, as <c>tuxsuite plan --git-repo --git-ref [--git-sha] [--no-cache]</c> gives it.</summary>
public sealed record PlanSource(string GitRepo, string GitRef, string? GitSha, bool NoCache = false);

/// <summary>What the registered servers can build: the toolchains offered per architecture (on hosts or in images).</summary>
public sealed record PlanCapabilities(ArchitectureCatalog Architectures, IReadOnlyDictionary<string, IReadOnlyCollection<string>> Toolchains);

/// <summary>A plan's build as the farm will run it (<paramref name="Request"/>), or why no server ever can (<paramref name="Unsupported"/>).</summary>
public sealed record PlannedBuild(TuxPlanBuild Source, string Name, BuildJobRequest? Request, string? Unsupported);

/// <summary>
/// Turns a TuxSuite build into the farm's job request (docs/plans.md has the field mapping). A
/// build the farm cannot ever run — an architecture outside the catalogue, a toolchain no server
/// offers, a target or make variable the farm does not build with — is <c>unsupported</c> with the
/// reason, and the rest of the plan runs. Pure: the servers' offers come in <see cref="PlanCapabilities"/>.
/// </summary>
public static class PlanTranslator
{
    /// <summary>TuxMake's architecture names that the farm's catalogue spells differently.</summary>
    private static readonly Dictionary<string, string> ArchitectureAliases = new(StringComparer.Ordinal) { ["riscv"] = "riscv64" };

    /// <param name="fetched">The plan's kconfig URLs as fetched at submission (<see cref="KconfigFetcher"/>); a URL not in it is unsupported.</param>
    public static PlannedBuild Translate(TuxPlanBuild build, PlanSource source, PlanCapabilities capabilities,
        IReadOnlyDictionary<string, FetchedKconfig>? fetched = null)
    {
        var name = build.BuildName ?? DisplayName(build);
        PlannedBuild No(string reason) => new(build, name, null, reason);

        var arch = ArchitectureAliases.GetValueOrDefault(build.TargetArch, build.TargetArch);
        if (!capabilities.Architectures.TryGet(arch, out var profile))
            return No($"architecture {build.TargetArch} is not in the farm's catalogue ({string.Join(", ", capabilities.Architectures.Names)})");
        var offered = capabilities.Toolchains.GetValueOrDefault(arch) ?? [];
        var (toolchain, noToolchain) = TuxToolchains.Resolve(build.Toolchain, offered);
        if (toolchain is null) return No(noToolchain!);
        var llvm = ToolchainMake.IsLlvm(toolchain);

        // kconfig: the base config, then fragments (CONFIG_ lines and in-tree paths)
        string? baseConfig = null;
        var fragments = new List<string>();
        for (var i = 0; i < build.Kconfig.Count; i++)
        {
            var item = build.Kconfig[i].Trim();
            if (KconfigUrlRule.IsUrl(item))
            {   // a fragment file fetched at submission: its lines become the job's (the base config is never a URL)
                if (i == 0) return No("kconfig[0]: the base config must be a make target or an in-tree path, not a URL");
                if (fetched?.GetValueOrDefault(item) is not { } got) return No($"kconfig[{i}]: {item} was not fetched");
                if (got.Lines is null) return No($"kconfig[{i}]: {item} {got.Error}");
                fragments.AddRange(got.Lines);
                continue;
            }
            if (i == 0) { baseConfig = item; continue; }
            fragments.Add(item); // CONFIG_ lines, in-tree paths, and fragment targets (kvm_guest.config) as kbuild makes them

        }

        // targets: TuxMake's names; "default" is the farm's default set
        List<string>? targets = null;
        if (build.Targets is { } requested && !requested.Contains("default"))
        {
            var unknown = requested.Where(t => !BuildTargets.IsKnown(t)).ToList();
            if (unknown.Count > 0)
                return No($"target {string.Join(", ", unknown)} is not one the farm builds ({string.Join(", ", BuildTargets.All.Select(t => t.Name))})");
            targets = requested.Distinct(StringComparer.Ordinal).ToList();
        }

        if (build.KernelImage is { } image && image != profile.ImageTarget && !profile.ImageFiles.Any(f => f.EndsWith("/" + image, StringComparison.Ordinal) || f == image))
            return No($"kernel_image {image}: the farm builds {profile.ImageTarget} for {arch}");

        // make variables: the farm sets LLVM (and the linker) from the toolchain; the rest pass through
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in build.MakeVariables)
        {
            switch (key.ToUpperInvariant())
            {
                case "LLVM" when llvm && (value == "1" || value == ToolchainMake.VersionSuffix(toolchain)):
                case "LLVM" when !llvm && value == "0":
                case "LD" when llvm && value == "ld.lld":
                    continue; // what the farm sets anyway
                case "LLVM":
                    return No(llvm
                        ? $"make_variables.LLVM={value}: the farm builds {toolchain} with LLVM's tools (LLVM=1)"
                        : $"make_variables.LLVM={value}: {toolchain} is not an LLVM toolchain");
                default:
                    if (JobRequestValidator.ReservedMakeVariables.Contains(key))
                        return No($"make_variables.{key}: set by the farm from the architecture and toolchain");
                    variables[key] = value;
                    break;
            }
        }

        var request = new BuildJobRequest
        {
            SourceRepository = source.GitRepo,
            Branch = source.GitRef,
            CommitHash = source.GitSha ?? "HEAD",
            NoCache = source.NoCache,
            TargetArchitecture = arch,
            Toolchain = toolchain,
            BuildConfig = new BuildConfig
            {
                KernelConfig = baseConfig,
                KconfigFragments = fragments,
                MakeVariables = variables,
                Targets = targets,
                CustomEnv = build.Environment,
                BootTest = build.Tests && profile.Boot is not null,
            },
        };
        return new(build, name, request, null);
    }

    /// <summary>Where a problem with the translated request is in the plan file (job fields → plan fields).</summary>
    public static string PathOf(TuxPlanBuild build, string requestField)
    {
        string At(string field) => $"{build.Path}.{field}";
        if (requestField == "target_architecture") return At("target_arch");
        if (requestField == "toolchain") return At("toolchain");
        if (requestField == "source_repository") return "git_repo";
        if (requestField == "branch") return "git_ref";
        if (requestField == "commit_hash") return "git_sha";
        if (requestField == "build_config.kernel_config") return At(build.Kconfig.Count > 1 ? "kconfig[0]" : "kconfig");
        const string fragments = "build_config.kconfig_fragments";
        if (requestField.StartsWith(fragments + "[", StringComparison.Ordinal) && int.TryParse(requestField[(fragments.Length + 1)..^1], out var i))
            return At($"kconfig[{i + 1}]");
        if (requestField == fragments) return At("kconfig");
        foreach (var (from, to) in new[] { ("build_config.make_variables", "make_variables"), ("build_config.targets", "targets"), ("build_config.custom_env", "environment") })
            if (requestField == from || requestField.StartsWith(from + ".", StringComparison.Ordinal) || requestField.StartsWith(from + "[", StringComparison.Ordinal))
                return At(to + requestField[from.Length..]);
        return At(requestField);
    }

    /// <summary>arch toolchain config+fragments, as a matrix labels a build.</summary>
    public static string DisplayName(TuxPlanBuild build) =>
        $"{build.TargetArch} {build.Toolchain} {(build.Kconfig.Count == 0 ? "defconfig" : string.Join('+', build.Kconfig.Select(Short)))}";

    private static string Short(string item) => item.Length <= 40 ? item : item[..37] + "...";
}
