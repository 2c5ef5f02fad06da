using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Kcidb;

/// <summary>
/// Farm jobs as a KCIDB v5.3 document: one checkout per (repository, commit, branch), one build per
/// job, one test per boot test that ran. Pure: the caller reads the jobs and their metadata.json.
/// </summary>
public static partial class KcidbMapper
{
    /// <param name="baseUrl">The farm's address for artifact and log URLs, e.g. https://farm.example.org (no trailing '/').</param>
    public static KcidbDocument Map(IEnumerable<KcidbJob> jobs, string origin, string baseUrl, ArchitectureCatalog? catalog = null)
    {
        catalog ??= ArchitectureCatalog.Default;
        baseUrl = baseUrl.TrimEnd('/');
        var ordered = jobs.DistinctBy(j => j.Job.Id).OrderBy(j => j.Job.CreatedAt).ThenBy(j => j.Job.Id, StringComparer.Ordinal).ToList();

        var checkouts = ordered
            .GroupBy(j => CheckoutKey(j))
            .Select(g => Checkout(origin, g.Key, g.ToList()))
            .ToList();
        var builds = ordered.Select(j => Build(origin, j, baseUrl, catalog)).ToList();
        var tests = ordered.Where(j => j.Job.Boot is not null).Select(j => BootTest(origin, j.Job, baseUrl)).ToList();
        return new KcidbDocument(KcidbVersion.V5_3, checkouts, builds, tests);
    }

    /// <summary>The checkout's id: the origin, then a hash of repository, commit (resolved, else as requested) and branch.</summary>
    public static string CheckoutId(string origin, KcidbJob job) => CheckoutId(origin, CheckoutKey(job));

    public static string BuildId(string origin, string jobId) => $"{origin}:{jobId}";

    public static string BootTestId(string origin, string jobId) => $"{origin}:{jobId}:boot";

    public static string LogUrl(string baseUrl, string jobId) => $"{JobUrl(baseUrl, jobId)}/log";

    public static string ArtifactUrl(string baseUrl, string jobId, string path) =>
        $"{JobUrl(baseUrl, jobId)}/artifacts/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    private static string JobUrl(string baseUrl, string jobId) =>
        $"{baseUrl.TrimEnd('/')}/api/v1/infrastructure/build-jobs/{Uri.EscapeDataString(jobId)}";

    private sealed record Key(string Repository, string Commit, string Branch);

    private static Key CheckoutKey(KcidbJob j) =>
        new(j.Job.Request.SourceRepository, j.ResolvedCommit ?? j.Job.Request.CommitHash, j.Job.Request.Branch);

    private static string CheckoutId(string origin, Key key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{key.Repository}\n{key.Commit}\n{key.Branch}"));
        return $"{origin}:{Convert.ToHexStringLower(hash)}";
    }

    private static KcidbCheckout Checkout(string origin, Key key, IReadOnlyList<KcidbJob> jobs)
    {
        // The schema takes only https:// repository URLs; any other (git://, file://, ssh) is kept in misc.
        var https = key.Repository.StartsWith("https://", StringComparison.Ordinal) && !key.Repository.Contains('\0');
        var resolved = jobs.Any(j => j.ResolvedCommit is not null);
        return new KcidbCheckout
        {
            Id = CheckoutId(origin, key),
            Origin = origin,
            GitRepositoryUrl = https ? key.Repository : null,
            GitCommitHash = Sha1().IsMatch(key.Commit) ? key.Commit : null,
            GitCommitName = NoNul(jobs.Select(j => j.Describe).FirstOrDefault(d => d is not null)),
            GitRepositoryBranch = NoNul(key.Branch),
            StartTime = jobs.Min(j => j.Job.CreatedAt),
            // A job that resolved the commit checked it out; until one has, validity is unknown (left out).
            Valid = resolved ? true : null,
            Misc = https ? null : new Dictionary<string, string> { ["source_repository"] = key.Repository },
        };
    }

    private static KcidbBuild Build(string origin, KcidbJob j, string baseUrl, ArchitectureCatalog catalog)
    {
        var job = j.Job;
        var start = job.Transitions.FirstOrDefault(t => t.Status != JobStatus.Queued)?.At;
        var end = job.Status.IsTerminal() ? job.Transitions.LastOrDefault(t => t.Status == job.Status)?.At ?? job.UpdatedAt : (DateTimeOffset?)null;
        var names = ResourceNames(job.Artifacts.Select(a => a.Path).ToList());
        var config = job.Artifacts.FirstOrDefault(a => a.Path == "config");
        var misc = new Dictionary<string, string> { ["farm_status"] = job.Status.ToString().ToLowerInvariant() };
        if (job.Failure is { } f)
        {
            misc["failure_kind"] = f.Kind.ToString().ToLowerInvariant();
            misc["failure_step"] = f.Step;
        }
        if ((job.Toolchain ?? job.Request.Toolchain) is { } toolchain) misc["toolchain"] = toolchain;
        return new KcidbBuild
        {
            Id = BuildId(origin, job.Id),
            CheckoutId = CheckoutId(origin, j),
            Origin = origin,
            Comment = job.Failure is { } failure ? NoNul($"{failure.Kind.ToString().ToLowerInvariant()} failure at {failure.Step}: {failure.Message}") : null,
            StartTime = start,
            Duration = start is { } s && end is { } e ? Math.Round(Math.Max(0, (e - s).TotalSeconds), 3) : null,
            Architecture = Architecture(job.Request.TargetArchitecture, catalog),
            Compiler = NoNul(j.Compiler),
            OutputFiles = job.Artifacts.Count == 0 ? null
                : job.Artifacts.Select(a => new KcidbResource(names[a.Path], ArtifactUrl(baseUrl, job.Id, a.Path))).ToList(),
            ConfigName = NoNul(job.Request.BuildConfig.KernelConfig ?? "defconfig"),
            ConfigUrl = config is null ? null : ArtifactUrl(baseUrl, job.Id, config.Path),
            LogUrl = LogUrl(baseUrl, job.Id),
            Status = KcidbStatus.OfBuild(job.Status, job.Failure),
            Misc = misc,
        };
    }

    private static KcidbTest BootTest(string origin, JobRecord job, string baseUrl)
    {
        var boot = job.Boot!;
        return new KcidbTest
        {
            Id = BootTestId(origin, job.Id),
            BuildId = BuildId(origin, job.Id),
            Origin = origin,
            Path = "boot",
            Comment = NoNul(boot.Reason),
            LogUrl = LogUrl(baseUrl, job.Id),
            Status = KcidbStatus.OfBoot(boot.Status),
            StartTime = job.Transitions.FirstOrDefault(t => t.Status == JobStatus.Booting)?.At,
            Duration = Math.Round(Math.Max(0, boot.DurationS), 3),
        };
    }

    /// <summary>The ARCH the farm builds with (the catalogue's kernel_arch: riscv64 → riscv, x86_64 as is), lower case as the schema wants.</summary>
    private static string? Architecture(string target, ArchitectureCatalog catalog)
    {
        var arch = catalog.TryGet(target, out var profile) ? profile.KernelArch : target.ToLowerInvariant();
        return ArchName().IsMatch(arch) ? arch : null;
    }

    /// <summary>A resource name may not hold '/': the file's name, or its path with '/' as '_' where two files share a name.</summary>
    private static Dictionary<string, string> ResourceNames(IReadOnlyList<string> paths)
    {
        var clash = paths.GroupBy(p => p[(p.LastIndexOf('/') + 1)..]).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return paths.Distinct().ToDictionary(p => p, p =>
        {
            var name = p[(p.LastIndexOf('/') + 1)..];
            return (clash.Contains(name) ? p.Replace('/', '_') : name).Replace("\0", "");
        });
    }

    private static string? NoNul(string? text) => text?.Replace("\0", "");

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex Sha1();

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex ArchName();
}
