using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Host.Gateway.Contract;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Host.Gateway;

/// <summary>Builds the <see cref="FarmCatalog"/> from the farm's own data: nothing in it is a copy.</summary>
public static class Catalog
{
    public static FarmCatalog Build(ArchitectureCatalog architectures, IReadOnlyList<BuildServer> servers, FarmSettings settings)
    {
        // Every (toolchain, architecture) some server offers, on the host or in one of its images.
        var offers = servers.SelectMany(s =>
            s.Toolchains.SelectMany(t => t.TargetArchitectures.Select(a => (Toolchain: t.Name, Arch: a, Server: s.Id, Image: (string?)null)))
                .Concat(s.ContainerImages.SelectMany(i => i.Toolchains.SelectMany(t =>
                    t.TargetArchitectures.Select(a => (Toolchain: t.Name, Arch: a, Server: s.Id, Image: (string?)i.Name))))))
            .ToList();

        var archs = architectures.Names.Select(name =>
        {
            architectures.TryGet(name, out var p);
            var here = offers.Where(o => o.Arch == name).ToList();
            return new ArchitectureEntry(
                p!.Name, p.KernelArch, p.ImageTarget, p.ImageFiles, p.Dtbs, p.CrossCompileDefault, p.Boot is not null,
                BuildTargets.Resolve(null, enableModules: true, buildDtbs: true, archHasDtbs: p.Dtbs),
                Sorted(here.Select(o => o.Image).OfType<string>()),
                Sorted(here.Select(o => o.Toolchain)),
                Sorted(servers.Where(s => s.SupportedArchitectures.Contains(name)).Select(s => s.Id)));
        }).ToList();

        var toolchains = offers.GroupBy(o => o.Toolchain, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ToolchainEntry(g.Key, Sorted(g.Select(o => o.Arch)), Sorted(g.Select(o => o.Server)), Sorted(g.Select(o => o.Image).OfType<string>())))
            .ToList();

        return new FarmCatalog(
            archs,
            Enum.GetValues<JobStatus>().Select(s => new StatusEntry(Name(s), s.IsTerminal())).ToList(),
            BuildTargets.All.Select(t => new TargetEntry(t.Name, t.Needs)).ToList(),
            toolchains,
            WebhookRules.Events,
            new CatalogLimits(
                settings.MaxQueueSize, settings.MaxAttempts, settings.MaxRequestBodyBytes, settings.MaxListPageBytes,
                ListPage.MaxLimit, ListPage.DefaultLimit,
                settings.Limits.MaxLogBytes, settings.Limits.MaxArtifactBytes, settings.Limits.MaxArtifactFiles,
                JobRequestValidator.MinPriority, JobRequestValidator.MaxPriority,
                JobRequestValidator.MaxSourceRepositoryLength, JobRequestValidator.MaxBranchLength, JobRequestValidator.MaxKernelConfigLength,
                JobRequestValidator.MaxKconfigFragments, JobRequestValidator.MaxExtraMakeArgs, JobRequestValidator.MaxTargets,
                JobRequestValidator.MaxCustomEnvEntries, JobRequestValidator.MaxArtifactPatterns, JobRequestValidator.MaxGitDepth,
                WebhookRules.MaxWebhooks, JobEndpoints.MaxIdempotencyKeyLength));
    }

    /// <summary>A status as the API spells it (the enum's JSON name).</summary>
    private static string Name(JobStatus s) => System.Text.Json.JsonSerializer.Serialize(s, FarmJson.Options).Trim('"');

    private static IReadOnlyList<string> Sorted(IEnumerable<string> names) => names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
