using System.Security.Cryptography;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>
/// Runs a generated script for real against a tiny local git repository whose Makefile mimics
/// kbuild (O=, ARCH=, *config targets, bzImage, modules, modules_install).
/// </summary>
public sealed class BuildScriptRunTests : IDisposable
{
    private const string FakeKbuild = """
        # A tiny stand-in for kbuild: just enough for kfarm-run.sh.
        O ?= .
        ARCH ?= x86_64
        TAG := @TAG@

        bzImage:
        	test -s $(O)/.config
        	$(CC) -c main.c -o $(O)/main.o
        	printf 'vmlinux $(ARCH) $(TAG)\n' > $(O)/vmlinux
        	printf 'ffffffff81000000 T _text $(TAG)\n' > $(O)/System.map
        	mkdir -p $(O)/arch/x86/boot
        	printf 'bzImage $(TAG) %s\n' "$$KBUILD_BUILD_USER" > $(O)/arch/x86/boot/bzImage

        tinyconfig:
        	mkdir -p $(O)
        	printf 'CONFIG_64BIT=y\n# CONFIG_MODULES is not set\n' > $(O)/.config

        modconfig:
        	mkdir -p $(O)
        	printf 'CONFIG_64BIT=y\nCONFIG_MODULES=y\n' > $(O)/.config

        modules:
        	grep -q '^CONFIG_MODULES=y' $(O)/.config
        	mkdir -p $(O)/drivers/misc
        	printf 'module $(TAG)\n' > $(O)/drivers/misc/x.ko

        modules_install:
        	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/6.1.0+/kernel/drivers/misc
        	cp $(O)/drivers/misc/x.ko $(INSTALL_MOD_PATH)/lib/modules/6.1.0+/kernel/drivers/misc/x.ko

        .PHONY: bzImage tinyconfig modconfig modules modules_install

        """;

    private static readonly string[] AllSteps = ["preparing", "configuring", "building", "collecting", "done"];

    private readonly TempDir _dir = new("kfarm-run-");
    private readonly string _repo;
    private readonly string _firstCommit;
    private readonly string _headCommit;

    public BuildScriptRunTests()
    {
        _repo = _dir.Combine("linux");
        Directory.CreateDirectory(_repo);
        Git("init", "-q", "-b", "main");
        _firstCommit = Commit("v1");
        _headCommit = Commit("v2");
    }

    public void Dispose() => _dir.Dispose();

    private string Git(params string[] args) =>
        LocalShell.MustRun("git", ["-C", _repo, "-c", "user.name=kfarm", "-c", "user.email=kfarm@example.org", .. args]).Trim();

    private string Commit(string tag)
    {
        // Recipes must start with a tab; the raw literal above keeps them.
        File.WriteAllText(Path.Combine(_repo, "Makefile"), FakeKbuild.Replace("@TAG@", tag, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_repo, "main.c"), $"const char *kfarm_tag = \"{tag}\";\n");
        Git("add", "Makefile", "main.c");
        Git("commit", "-q", "-m", $"fake kernel {tag}");
        return Git("rev-parse", "HEAD");
    }

    /// <summary>A request as a client sends it, for the local repository.</summary>
    private BuildJobRequest Request(string commit = "HEAD", string config = "tinyconfig", string branch = "main") => new()
    {
        SourceRepository = new Uri(_repo).AbsoluteUri,
        Branch = branch,
        CommitHash = commit,
        TargetArchitecture = "x86_64",
        BuildConfig = new BuildConfig { KernelConfig = config, GitDepth = 1 },
    };

    /// <summary>The server's cache directory: every run of this class shares its git mirror.</summary>
    private string Cache => _dir.Combine("cache");

    private string Mirror => GitCache.MirrorPath(Cache, new Uri(_repo).AbsoluteUri);

    private BuildPlan Plan(BuildJobRequest request, string workspace) =>
        BuildPlan.From("job-local", request, BuildScriptTests.PlacementWith(new Toolchain("gcc-12", ["x86_64"]), cores: 2, cacheDirectory: Cache),
            workspace, ArchitectureCatalog.Default);

    /// <summary>Derives the plan the way BuildJobActor does (BuildPlan.From), writes the script and runs it to the end.</summary>
    private (string Workspace, ProcessResult Result) Run(BuildJobRequest request, string? workspace = null, bool mirror = true)
    {
        workspace ??= _dir.Combine("ws-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workspace);
        var plan = Plan(request, workspace);
        if (!mirror) plan = plan with { GitMirror = null };
        File.WriteAllText(Path.Combine(workspace, BuildScript.ScriptName), BuildScript.Generate(plan));
        var result = LocalShell.Run(LocalShell.Bash, [BuildScript.ScriptName], workspace, TimeSpan.FromMinutes(2));
        return (workspace, result);
    }

    private static string[] Steps(string workspace) =>
        File.ReadAllLines(Path.Combine(workspace, "build.log"))
            .Select(BuildScript.ParseStepMarker).OfType<string>().ToArray();

    private static (string Step, int Code) ExitRecord(string workspace)
    {
        var text = File.ReadAllText(Path.Combine(workspace, "exit"));
        Assert.EndsWith("\n", text);
        var parts = text.Trim().Split(' ');
        Assert.Equal(2, parts.Length);
        return (parts[1], int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void AssertArtifact(IReadOnlyList<ArtifactEntry> manifest, string path, string sourceFile)
    {
        var entry = Assert.Single(manifest, e => e.Path == path);
        var bytes = File.ReadAllBytes(sourceFile);
        Assert.Equal(bytes.LongLength, entry.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry.Sha256);
    }

    [Fact]
    public void Head_build_with_tinyconfig_runs_every_step_and_publishes_a_correct_manifest()
    {
        var (ws, result) = Run(Request());

        Assert.True(result.ExitCode == 0, $"script exited {result.ExitCode}:\n{File.ReadAllText(Path.Combine(ws, "build.log"))}");
        Assert.Equal("0 done\n", File.ReadAllText(Path.Combine(ws, "exit")));
        Assert.Equal(AllSteps, Steps(ws));

        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.Contains($"commit: {_headCommit}\n", log);
        Assert.Contains("modules: skipped (CONFIG_MODULES is not set)", log);
        Assert.Contains("+ make -C source O=" + ws + "/build ARCH=x86_64 CC=ccache gcc-12" + CcacheSteps.CompilerFlags + " -j2 bzImage\n", log);
        Assert.Matches(@"^\d+\n$", File.ReadAllText(Path.Combine(ws, "pid")));

        var manifest = ArtifactManifest.Parse(File.ReadAllText(Path.Combine(ws, "manifest.tsv")));
        Assert.Equal(["System.map", "bzImage", "config", "vmlinux"], manifest.Select(e => e.Path));
        var build = Path.Combine(ws, "build");
        AssertArtifact(manifest, "bzImage", Path.Combine(build, "arch/x86/boot/bzImage"));
        AssertArtifact(manifest, "vmlinux", Path.Combine(build, "vmlinux"));
        AssertArtifact(manifest, "System.map", Path.Combine(build, "System.map"));

        Assert.Equal("vmlinux x86_64 v2\n", File.ReadAllText(Path.Combine(ws, "artifacts", "vmlinux")));
        Assert.Equal("bzImage v2 kernelfarm\n", File.ReadAllText(Path.Combine(ws, "artifacts", "bzImage")));
        Assert.False(File.Exists(Path.Combine(ws, "manifest.tsv.tmp")));
        Assert.False(File.Exists(Path.Combine(ws, "exit.tmp")));
    }

    [Fact]
    public void A_pinned_older_commit_is_fetched_into_a_shallow_clone_and_modules_are_installed()
    {
        var (ws, result) = Run(Request(_firstCommit, "modconfig"));

        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.True(result.ExitCode == 0, $"script exited {result.ExitCode}:\n{log}");
        Assert.Equal("0 done\n", File.ReadAllText(Path.Combine(ws, "exit")));
        Assert.Equal(AllSteps, Steps(ws));
        Assert.Contains($"commit: {_firstCommit}\n", log);
        Assert.DoesNotContain("modules: skipped", log);

        var manifest = ArtifactManifest.Parse(File.ReadAllText(Path.Combine(ws, "manifest.tsv")));
        const string module = "modules/lib/modules/6.1.0+/kernel/drivers/misc/x.ko";
        Assert.Equal(["System.map", "bzImage", "config", module, "vmlinux"], manifest.Select(e => e.Path));
        AssertArtifact(manifest, module, Path.Combine(ws, "build", "drivers/misc/x.ko"));
        AssertArtifact(manifest, "vmlinux", Path.Combine(ws, "build", "vmlinux"));
        Assert.Equal("vmlinux x86_64 v1\n", File.ReadAllText(Path.Combine(ws, "artifacts", "vmlinux")));
    }

    [Fact]
    public void Unknown_config_target_fails_in_the_configuring_step()
    {
        var (ws, result) = Run(Request(config: "nosuchconfig"));

        var (step, code) = ExitRecord(ws);
        Assert.Equal("configuring", step);
        Assert.NotEqual(0, code);
        Assert.Equal(code, result.ExitCode);
        Assert.Equal(["preparing", "configuring"], Steps(ws));
        Assert.Contains("nosuchconfig", File.ReadAllText(Path.Combine(ws, "build.log")));
        Assert.False(File.Exists(Path.Combine(ws, "manifest.tsv")));
    }

    [Fact]
    public void Missing_branch_fails_in_the_preparing_step()
    {
        var (ws, result) = Run(Request(branch: "no-such-branch"));

        var (step, code) = ExitRecord(ws);
        Assert.Equal("preparing", step);
        Assert.NotEqual(0, code);
        Assert.Equal(code, result.ExitCode);
        Assert.Equal(["preparing"], Steps(ws));
    }

    [Fact]
    public void Rerunning_in_the_same_workspace_starts_from_a_clean_tree()
    {
        var (ws, first) = Run(Request(config: "modconfig"));
        Assert.Equal(0, first.ExitCode);
        Assert.True(File.Exists(Path.Combine(ws, "artifacts/modules/lib/modules/6.1.0+/kernel/drivers/misc/x.ko")));

        // Same workspace, now without modules: stale modules from the first run must not be published.
        var (_, second) = Run(Request(), ws);

        Assert.Equal(0, second.ExitCode);
        var manifest = ArtifactManifest.Parse(File.ReadAllText(Path.Combine(ws, "manifest.tsv")));
        Assert.Equal(["System.map", "bzImage", "config", "vmlinux"], manifest.Select(e => e.Path));
    }
    [Fact]
    public void Launched_detached_the_script_is_followed_by_tail_and_reported_by_status()
    {
        var ws = _dir.Combine("detached"); // Launch creates it
        var launch = LocalShell.BashC(RemoteCommands.Launch("job-local", ws, BuildScript.Generate(Plan(Request(), ws))));
        Assert.True(launch.ExitCode == 0, launch.Stderr);
        var pg = int.Parse(launch.StdoutText.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        // Follows the log until the build's process group is gone.
        var tail = LocalShell.BashC(RemoteCommands.TailLog(ws, 0, pg), timeout: TimeSpan.FromMinutes(2));

        Assert.Equal(AllSteps, tail.StdoutText.Split('\n').Select(BuildScript.ParseStepMarker).OfType<string>());
        Assert.Equal(File.ReadAllBytes(Path.Combine(ws, "build.log")), tail.Stdout);
        Assert.Equal("exit 0 done\n", LocalShell.BashC(RemoteCommands.Status(ws)).StdoutText);
        var manifest = ArtifactManifest.Parse(LocalShell.BashC(RemoteCommands.ReadManifest(ws)).StdoutText);
        Assert.Equal(["System.map", "bzImage", "config", "vmlinux"], manifest.Select(e => e.Path));

        Assert.Equal(0, LocalShell.BashC(RemoteCommands.Cleanup("job-local", ws)).ExitCode);
        Assert.False(Directory.Exists(ws));
    }

    [Fact]
    public void A_custom_env_key_named_like_a_script_variable_does_not_move_the_build_out_of_the_workspace()
    {
        // "ws" passes JobRequestValidator (not reserved); the script exports custom_env after setting its own ws.
        var elsewhere = _dir.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        var request = Request();
        request = request with { BuildConfig = request.BuildConfig with { CustomEnv = new Dictionary<string, string> { ["ws"] = elsewhere } } };
        var validation = new KernelFarm.Actors.Validation.JobRequestValidator(
            new KernelFarm.Actors.Validation.JobValidationPolicy(["/var/lib/artifacts"], ArchitectureCatalog.Default)).Validate(request);
        Assert.DoesNotContain(validation, e => e.Field.StartsWith("build_config.custom_env", StringComparison.Ordinal));

        var (ws, result) = Run(request);

        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("0 done\n", File.ReadAllText(Path.Combine(ws, "exit")));
        var manifest = ArtifactManifest.Parse(File.ReadAllText(Path.Combine(ws, "manifest.tsv")));
        Assert.Equal(["System.map", "bzImage", "config", "vmlinux"], manifest.Select(e => e.Path));
    }

    [Fact]
    public void The_log_reports_facts_and_each_target_for_metadata()
    {
        var (ws, result) = Run(Request(config: "modconfig"));
        Assert.Equal(0, result.ExitCode);

        var facts = KernelFarm.Actors.Jobs.BuildLogFacts.Parse(File.ReadAllText(Path.Combine(ws, "build.log")));
        Assert.Equal(_headCommit, facts.Fact("git_commit"));
        Assert.True(int.Parse(facts.Fact("hardware_cores")!) >= 1);
        Assert.True(long.Parse(facts.Fact("hardware_ram_kb")!) > 0);
        Assert.StartsWith("gcc", facts.Fact("compiler"));
        Assert.Equal(["config", "kernel", "modules"], facts.Targets.Select(t => t.Name));
        Assert.All(facts.Targets, t => Assert.True(t.Passed));
        Assert.Equal(0, facts.Errors);
    }

    [Fact]
    public void A_failing_target_is_reported_as_failed()
    {
        var (ws, result) = Run(Request(config: "nosuchconfig"));
        Assert.NotEqual(0, result.ExitCode);
        var facts = KernelFarm.Actors.Jobs.BuildLogFacts.Parse(File.ReadAllText(Path.Combine(ws, "build.log")));
        var config = Assert.Single(facts.Targets);
        Assert.Equal("config", config.Name);
        Assert.False(config.Passed);
    }

    [Fact]
    public void Make_variables_reach_every_make_call()
    {
        var request = Request() with { BuildConfig = Request().BuildConfig with { MakeVariables = new Dictionary<string, string> { ["KCFLAGS"] = "-O2 -pipe" } } };
        var (ws, result) = Run(request);
        Assert.Equal(0, result.ExitCode);
        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.Contains("ARCH=x86_64 CC=ccache gcc-12" + CcacheSteps.CompilerFlags + " KCFLAGS=-O2 -pipe tinyconfig\n", log);
        Assert.Contains("ARCH=x86_64 CC=ccache gcc-12" + CcacheSteps.CompilerFlags + " KCFLAGS=-O2 -pipe -j2 bzImage\n", log);
    }

    [Fact]
    public void The_second_job_of_a_repository_fetches_only_into_the_servers_mirror_and_checks_out_a_worktree()
    {
        var (first, r1) = Run(Request());
        Assert.True(r1.ExitCode == 0, File.ReadAllText(Path.Combine(first, "build.log")));
        Assert.Contains("+ git init -q --bare " + Mirror, File.ReadAllText(Path.Combine(first, "build.log")));
        var newest = Commit("v3");

        var (second, r2) = Run(Request());
        var log = File.ReadAllText(Path.Combine(second, "build.log"));
        Assert.True(r2.ExitCode == 0, log);
        Assert.DoesNotContain("git init", log);
        Assert.DoesNotContain("git clone", log);
        Assert.Contains($"commit: {newest}\n", log);
        Assert.Equal("vmlinux x86_64 v3\n", File.ReadAllText(Path.Combine(second, "artifacts", "vmlinux")));
        // a worktree of the mirror: source/.git is a file pointing into it, the objects are the mirror's
        Assert.StartsWith("gitdir: " + Mirror + "/worktrees/", File.ReadAllText(Path.Combine(second, "source", ".git")));
        Assert.True(File.Exists(Path.Combine(Mirror, GitCache.LastUsedFile)));

        // the farm removes a finished workspace; the next job prunes its worktree entry
        Directory.Delete(first, recursive: true);
        Assert.Equal(0, Run(Request()).Result.ExitCode);
        var worktrees = LocalShell.MustRun("git", ["-C", Mirror, "worktree", "list", "--porcelain"]);
        Assert.DoesNotContain(first, worktrees);
        Assert.Contains(second, worktrees);
    }

    [Fact]
    public void A_mirror_half_made_by_a_killed_job_is_made_again()
    {
        // Killed between git init and setting the origin (as an older farm's script could be),
        // and a killed job's temporary mirror: neither breaks the next job.
        LocalShell.MustRun("git", ["init", "-q", "--bare", Mirror]);
        Directory.CreateDirectory(Mirror + ".new");
        File.WriteAllText(Path.Combine(Mirror + ".new", "HEAD"), "ref: refs/heads/elsewhere\n");

        var (ws, result) = Run(Request());
        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.True(result.ExitCode == 0, log);
        Assert.Contains("+ git init -q --bare " + Mirror + ".new", log);
        Assert.False(Directory.Exists(Mirror + ".new"));
        Assert.Equal(new Uri(_repo).AbsoluteUri, LocalShell.MustRun("git", ["-C", Mirror, "config", "remote.origin.url"]).Trim());
    }

    [Fact]
    public void Lock_files_of_a_fetch_killed_with_SIGKILL_do_not_block_the_next_fetch()
    {
        var (first, r1) = Run(Request());
        Assert.True(r1.ExitCode == 0, File.ReadAllText(Path.Combine(first, "build.log")));
        // what git leaves when it dies without its signal handlers running
        File.WriteAllText(Path.Combine(Mirror, "refs", "heads", "main.lock"), "");
        File.WriteAllText(Path.Combine(Mirror, "shallow.lock"), "");
        File.WriteAllText(Path.Combine(Mirror, "packed-refs.lock"), "");
        var newest = Commit("v3");

        var (second, r2) = Run(Request());
        var log = File.ReadAllText(Path.Combine(second, "build.log"));
        Assert.True(r2.ExitCode == 0, log);
        Assert.Contains($"commit: {newest}\n", log);
        Assert.Empty(Directory.GetFiles(Mirror, "*.lock", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_mirror_whose_workspaces_are_gone_is_evicted_by_the_probe_past_the_limit()
    {
        var (ws, result) = Run(Request());
        Assert.Equal(0, result.ExitCode);
        var server = BuildScriptTests.PlacementWith(new Toolchain("gcc-12", ["x86_64"]), cacheDirectory: Cache).Server with { GitCacheLimitMb = 0 };
        var kept = KernelFarm.Actors.Servers.CacheMaintenance.Parse(LocalShell.BashC(KernelFarm.Actors.Servers.CacheMaintenance.Command(server)).StdoutText);
        Assert.Empty(kept.Evicted); // its workspace is still there
        Directory.Delete(ws, recursive: true);

        var probe = LocalShell.BashC(KernelFarm.Actors.Servers.CacheMaintenance.Command(server));
        var caches = KernelFarm.Actors.Servers.CacheMaintenance.Parse(probe.StdoutText);
        Assert.True(caches.Evicted.Count == 1, probe.StdoutText + probe.Stderr);
        Assert.False(Directory.Exists(Mirror));
    }

    [Fact]
    public async Task Concurrent_jobs_of_one_repository_share_the_mirror_safely()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Run(Request(_firstCommit, "modconfig")))));
        Assert.All(runs, r => Assert.True(r.Result.ExitCode == 0, File.ReadAllText(Path.Combine(r.Workspace, "build.log"))));
        Assert.All(runs, r => Assert.Equal("vmlinux x86_64 v1\n", File.ReadAllText(Path.Combine(r.Workspace, "artifacts", "vmlinux"))));
        // one of them made the mirror; the others waited for its lock and found it
        Assert.Single(runs, r => File.ReadAllText(Path.Combine(r.Workspace, "build.log")).Contains("git init -q --bare", StringComparison.Ordinal));
        var worktrees = LocalShell.MustRun("git", ["-C", Mirror, "worktree", "list", "--porcelain"]);
        Assert.All(runs, r => Assert.Contains(r.Workspace + "/source", worktrees));
    }

    [Fact]
    public void A_job_naming_a_full_commit_the_mirror_has_builds_without_reaching_the_remote()
    {
        Assert.Equal(40, _headCommit.Length);
        Assert.Equal(0, Run(Request(_headCommit)).Result.ExitCode);
        Directory.Move(_repo, _repo + ".gone"); // from now on any fetch fails

        var (ws, result) = Run(Request(_headCommit));
        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.True(result.ExitCode == 0, log);
        Assert.Contains("kfarm: the git cache has the commit: not fetched", log);
        Assert.Contains($"commit: {_headCommit}\n", log);
        Assert.Equal("vmlinux x86_64 v2\n", File.ReadAllText(Path.Combine(ws, "artifacts", "vmlinux")));

        // a branch head must be asked of the remote: that fetch fails here
        var (headWs, head) = Run(Request());
        Assert.NotEqual(0, head.ExitCode);
        Assert.Equal("preparing", ExitRecord(headWs).Step);
    }

    [Fact]
    public void A_full_history_job_naming_a_commit_of_a_shallow_mirror_still_deepens_it()
    {
        Assert.Equal(0, Run(Request(_headCommit)).Result.ExitCode);
        Assert.True(File.Exists(Path.Combine(Mirror, "shallow")));
        var full = Request(_headCommit) with { BuildConfig = Request().BuildConfig with { GitDepth = 0 } };
        var (ws, result) = Run(full);
        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.True(result.ExitCode == 0, log);
        Assert.DoesNotContain("not fetched", log);
        Assert.False(File.Exists(Path.Combine(Mirror, "shallow")));
    }

    [Fact]
    public void A_full_history_job_deepens_a_mirror_that_shallow_jobs_made()
    {
        Assert.Equal(0, Run(Request()).Result.ExitCode);
        Assert.True(File.Exists(Path.Combine(Mirror, "shallow")));

        var full = Request() with { BuildConfig = Request().BuildConfig with { GitDepth = 0 } };
        var (ws, result) = Run(full);
        Assert.True(result.ExitCode == 0, File.ReadAllText(Path.Combine(ws, "build.log")));
        Assert.False(File.Exists(Path.Combine(Mirror, "shallow")));
        Assert.Equal(2, LocalShell.MustRun("git", ["-C", Path.Combine(ws, "source"), "rev-list", "--count", "HEAD"]).Trim() switch { var n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) });
    }

    [Fact]
    public void Without_a_mirror_a_job_clones_and_leaves_no_git_cache()
    {
        var (ws, result) = Run(Request(_firstCommit), mirror: false);
        var log = File.ReadAllText(Path.Combine(ws, "build.log"));
        Assert.True(result.ExitCode == 0, log);
        Assert.Contains("+ git clone --no-tags --branch main --depth 1 -- " + new Uri(_repo).AbsoluteUri + " source", log);
        Assert.Contains($"commit: {_firstCommit}\n", log);
        Assert.False(Directory.Exists(Path.Combine(Cache, "git")));
    }

    /// <summary>ccache is installed by scripts/install-deps.sh (as on a build server that has it).</summary>
    [Fact]
    public void A_second_build_in_another_workspace_hits_the_servers_ccache_and_counts_it()
    {
        var (first, r1) = Run(Request());
        var facts1 = KernelFarm.Actors.Jobs.BuildLogFacts.Parse(File.ReadAllText(Path.Combine(first, "build.log")));
        Assert.True(r1.ExitCode == 0, File.ReadAllText(Path.Combine(first, "build.log")));
        Assert.StartsWith("ccache version 4.", facts1.Fact("ccache"));
        Assert.Equal(("0", "1"), (facts1.Fact("ccache_hits"), facts1.Fact("ccache_misses")));

        var (second, r2) = Run(Request());
        var facts2 = KernelFarm.Actors.Jobs.BuildLogFacts.Parse(File.ReadAllText(Path.Combine(second, "build.log")));
        Assert.Equal(0, r2.ExitCode);
        Assert.Equal(("1", "0"), (facts2.Fact("ccache_hits"), facts2.Fact("ccache_misses"))); // CCACHE_BASEDIR: the other workspace's object
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "build", "main.o")), File.ReadAllBytes(Path.Combine(second, "build", "main.o")));
        Assert.True(Directory.Exists(Path.Combine(Cache, "ccache")));

        var optedOut = Request() with { BuildConfig = Request().BuildConfig with { Ccache = false } };
        var (third, r3) = Run(optedOut);
        var log3 = File.ReadAllText(Path.Combine(third, "build.log"));
        Assert.Equal(0, r3.ExitCode);
        Assert.DoesNotContain("ccache", log3, StringComparison.Ordinal);
        Assert.Contains("ARCH=x86_64 CC=gcc-12 -j2 bzImage\n", log3);
    }

    [Fact]
    public void The_reproducer_rebuilds_the_same_commit_byte_for_byte_by_hand()
    {
        var request = Request(commit: _firstCommit, config: "modconfig");
        var (ws, result) = Run(request);
        Assert.Equal(0, result.ExitCode);
        var facts = KernelFarm.Actors.Jobs.BuildLogFacts.Parse(File.ReadAllText(Path.Combine(ws, "build.log")));

        var script = Reproducer.Generate(Plan(request, ws), facts.Fact("git_commit"), []);
        var scriptPath = _dir.Combine("reproducer.sh");
        File.WriteAllText(scriptPath, script);
        var by = _dir.Combine("by-hand");
        var run = LocalShell.Run(LocalShell.Bash, [scriptPath, by], _dir.Path, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.StdoutText + run.Stderr);

        foreach (var file in new[] { "vmlinux", "System.map", "arch/x86/boot/bzImage", "drivers/misc/x.ko" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(ws, "build", file)), File.ReadAllBytes(Path.Combine(by, "build", file)));
        Assert.Contains("v1", File.ReadAllText(Path.Combine(by, "build", "vmlinux"))); // the pinned commit, not the branch tip
    }
}
