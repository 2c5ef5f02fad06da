using System.CommandLine;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Catalog;
using KernelFarm.Cli.Input;
using KernelFarm.Cli.Jobs;

namespace KernelFarm.Cli.Commands;

/// <summary>
/// The build flags `jobs submit` and `series submit` share, each a field of the job request
/// (<see cref="JobSpec"/>); a command lists the ones it takes, in its own order.
/// </summary>
public sealed class BuildOptions
{
    public BuildOptions(GlobalOptions globals, string fileDescription, string commitDescription)
    {
        File = new Option<string?>("--file", "-f") { Description = fileDescription, HelpName = "FILE" };
        Commit = new Option<string?>("--commit") { Description = commitDescription, HelpName = "SHA" };
        CatalogCompletion.Add(Arch, globals, c => c.Architectures);
        CatalogCompletion.Add(Toolchain, globals, c => c.Toolchains);
    }

    public Option<string?> File { get; }
    public Option<string?> Repo { get; } = new("--repo") { Description = "Source repository URL", HelpName = "URL" };
    public Option<string?> Branch { get; } = new("--branch") { Description = "Branch (default master)", HelpName = "BRANCH" };
    public Option<string?> Commit { get; }
    public Option<string?> Arch { get; } = new("--arch") { Description = "Target architecture (the farm's: kfarm catalog)", HelpName = "ARCH" };
    public Option<string?> Toolchain { get; } = new("--toolchain") { Description = "Toolchain, e.g. gcc-12 (default: the farm chooses)", HelpName = "NAME" };
    public Option<string?> Config { get; } = new("--config") { Description = "kernel_config: a *config target or an in-tree path (default defconfig)", HelpName = "CONFIG" };
    public Option<string[]> Fragment { get; } = new("--fragment") { Description = "Kconfig fragment line or in-tree path (repeatable)", HelpName = "FRAGMENT" };
    public Option<string[]> MakeOpt { get; } = new("--make-opt") { Description = "Extra make argument, e.g. --make-opt=-j8 (repeatable)", HelpName = "ARG" };
    public Option<string[]> Artifact { get; } = new("--artifact") { Description = "Artifact pattern (repeatable)", HelpName = "PATTERN" };
    public Option<string[]> Env { get; } = new("--env") { Description = "Build environment variable KEY=VALUE (repeatable)", HelpName = "KEY=VALUE" };
    public Option<int?> Priority { get; } = IntOption.Create("--priority", "-1000…1000, higher runs first", "N");
    public Option<int?> Timeout { get; } = IntOption.Create("--timeout-minutes", "Build time limit in minutes", "MINUTES");
    public Option<bool> BootTest { get; } = new("--boot-test") { Description = "Boot the built kernel in QEMU after the build and record boot: pass/fail (x86_64, arm64)" };
    public Option<string?> IdempotencyKey { get; } = new("--idempotency-key") { Description = "Submitting again with the same key returns the same job", HelpName = "KEY" };

    /// <summary>The request fields from these flags (the command adds its own).</summary>
    public JobSpec Spec(CliContext cli) => new()
    {
        Repo = cli.Value(Repo), Branch = cli.Value(Branch), Commit = cli.Value(Commit), Arch = cli.Value(Arch),
        Toolchain = cli.Value(Toolchain), KernelConfig = cli.Value(Config), Fragments = cli.Value(Fragment) ?? [],
        MakeOpts = cli.Value(MakeOpt) ?? [], Artifacts = cli.Value(Artifact) ?? [], Env = cli.Value(Env) ?? [],
        Priority = cli.Value(Priority), TimeoutMinutes = cli.Value(Timeout), BootTest = cli.Value(BootTest),
    };

    /// <summary>The --file's request fields, or null without one.</summary>
    public JsonObject? FileBody(CliContext cli) =>
        cli.Value(File) is { } path ? DocumentFile.Load(path) : null;

    /// <summary>The Idempotency-Key header, when given.</summary>
    public Dictionary<string, string>? Headers(CliContext cli) =>
        cli.Value(IdempotencyKey) is { } key ? new Dictionary<string, string> { ["Idempotency-Key"] = key } : null;

    /// <summary>
    /// --arch and --target are names from the farm's catalog: a typo is caught before anything is
    /// queued, with the names the farm knows.
    /// </summary>
    public static async Task CheckAgainstCatalogAsync(CliContext cli, JobSpec spec, CancellationToken ct)
    {
        if (spec.Arch is null && spec.Targets.Count == 0) return;
        var catalog = await FarmCatalog.GetAsync(cli.Client, ct);
        if (spec.Arch is { } a) FarmCatalog.Check("--arch", [a], catalog.Architectures);
        FarmCatalog.Check("--target", spec.Targets, catalog.Targets);
    }
}
