using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A farm with three real sshd build servers and the fake kbuild tree (whose build compiles
/// init/main.c with the CC the farm sets): "a-plain" (x86_64), "b-cache" (x86_64 and i386) and
/// "c-evict" (arm64, git_cache_limit_mb 0).
/// </summary>
public sealed class CacheFarm : IAsyncLifetime
{
    private TempDirectory _root = null!;
    private GitDaemon _git = null!;
    private FakeKernelTree _tree = null!;

    public SshBuildServer Plain { get; private set; } = null!;
    public SshBuildServer Cached { get; private set; } = null!;
    public SshBuildServer Evicting { get; private set; } = null!;
    public FarmProcess Farm { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _root = TempDirectory.Create("caches");
        Plain = await SshBuildServer.StartAsync("127.0.0.10");
        Cached = await SshBuildServer.StartAsync("127.0.0.11");
        Evicting = await SshBuildServer.StartAsync("127.0.0.12");
        var repos = Path.Combine(_root.Path, "repos");
        Directory.CreateDirectory(repos);
        _tree = FakeKernelTree.Create(repos);
        _git = await GitDaemon.StartAsync(repos);
        Farm = await FarmProcess.StartAsync(Path.Combine(_root.Path, "node"));
        await Farm.RegisterServerAsync(Plain, "a-plain", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 1);
        await Farm.RegisterServerAsync(Cached, "b-cache", ["x86_64", "i386"], [FarmProcess.Toolchain("gcc-12", ["x86_64", "i386"])], maxJobs: 1);
        await Farm.RegisterServerAsync(Evicting, "c-evict", ["arm64"], [FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-")], maxJobs: 1,
            extra: new JsonObject { ["git_cache_limit_mb"] = 0 });
    }

    public JsonObject Job(string arch, bool keepWorkspace = false, bool ccache = true) => new()
    {
        ["source_repository"] = _git.Url(FakeKernelTree.RepoDirName),
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = arch,
        ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig", ["keep_workspace"] = keepWorkspace, ["ccache"] = ccache },
    };

    /// <summary>Submits, waits for the end, asserts completed; the record, its log and its metadata.json.</summary>
    public async Task<(JsonObject Job, string Log, JsonNode Metadata)> RunAsync(JsonObject request)
    {
        var id = await Farm.SubmitAsync(request);
        var job = await Farm.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        var log = await Farm.GetLogAsync(id);
        Assert.True(FarmProcess.Status(job) == "completed", $"{job.ToJsonString()}\n{log}");
        var meta = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "metadata.json")))!;
        return (job, log, meta);
    }

    public async Task<JsonObject> ProbeAsync(string serverId)
    {
        using var r = await Farm.Http.PostAsync($"api/v1/infrastructure/build-servers/{serverId}/probe", null);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task DisposeAsync()
    {
        await Farm.DisposeAsync();
        await _git.DisposeAsync();
        await Plain.DisposeAsync();
        await Cached.DisposeAsync();
        await Evicting.DisposeAsync();
        _tree.Dispose();
        _root.Dispose();
    }
}

/// <summary>The build servers' git mirrors and ccache through the farm (README "Caches").</summary>
[Trait("Tier", "Full")] // out of --quick: its own farm and seconds of waiting; CI runs it
public sealed class CacheTests(CacheFarm fixture) : IClassFixture<CacheFarm>
{
    private static int Int(JsonNode meta, string name) => meta["ccache"]![name]!.GetValue<int>();

    [Fact]
    public async Task Jobs_of_one_repository_share_the_servers_mirror_and_ccache()
    {
        var (_, firstLog, firstMeta) = await fixture.RunAsync(fixture.Job("i386"));
        var (second, log, meta) = await fixture.RunAsync(fixture.Job("i386"));

        Assert.Equal("b-cache", second["server_id"]!.GetValue<string>());
        Assert.DoesNotContain("git clone", log, StringComparison.Ordinal);
        Assert.DoesNotContain("git init -q --bare", log, StringComparison.Ordinal); // the mirror was there
        Assert.Contains("worktree add -q --no-checkout --detach", log, StringComparison.Ordinal);
        // the first job of this class on b-cache made the mirror (this one or the affinity test's)
        Assert.Matches("CC=ccache gcc-12 ", log);
        Assert.StartsWith("ccache version 4.", meta["ccache"]!["version"]!.GetValue<string>());
        Assert.Equal((1, 0), (Int(meta, "hits"), Int(meta, "misses")));     // init/main.c from the server's ccache
        Assert.Equal(1, Int(firstMeta, "hits") + Int(firstMeta, "misses"));
        Assert.Contains("+ flock ", firstLog, StringComparison.Ordinal);

        var server = await fixture.ProbeAsync("b-cache");
        var caches = server["caches"]!;
        var repo = Assert.Single(caches["repositories"]!.AsArray());
        Assert.StartsWith("fake-linux-", repo!["name"]!.GetValue<string>());
        Assert.True(repo["bytes"]!.GetValue<long>() > 0);
        Assert.NotNull(repo["last_used"]);
        Assert.True(caches["ccache_bytes"]!.GetValue<long>() > 0);
        Assert.Equal(20480L * 1024 * 1024, caches["git_limit_bytes"]!.GetValue<long>());
        Assert.EndsWith("/.kfarm-cache", caches["directory"]!.GetValue<string>());

        var metrics = await fixture.Farm.Http.GetStringAsync("metrics");
        Assert.Matches("kfarm_server_cache_size_bytes\\{[^}]*cache=\"git\"[^}]*server=\"b-cache\"[^}]*\\} [1-9]", metrics);

        var (_, optedOutLog, optedOut) = await fixture.RunAsync(fixture.Job("i386", ccache: false));
        Assert.Null(optedOut["ccache"]);
        Assert.DoesNotContain("ccache", optedOutLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_goes_to_the_idle_server_whose_cache_holds_its_repository()
    {
        // i386 only b-cache has: it fills b-cache's mirror of the repository
        await fixture.RunAsync(fixture.Job("i386"));
        await fixture.Farm.WaitForIdleServerAsync("b-cache", TimeSpan.FromSeconds(30));
        // x86_64: a-plain and b-cache are both idle and equally loaded; a-plain would win on its id
        var (job, log, _) = await fixture.RunAsync(fixture.Job("x86_64"));
        Assert.Equal("b-cache", job["server_id"]!.GetValue<string>());
        Assert.DoesNotContain("git init -q --bare", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_its_limit_the_probe_evicts_a_mirror_that_no_workspace_uses()
    {
        var mirrors = Path.Combine(fixture.Evicting.WorkDirectory, ".kfarm-cache", "git");
        var (job, log, _) = await fixture.RunAsync(fixture.Job("arm64"));
        Assert.Contains("git init -q --bare", log, StringComparison.Ordinal);
        // the farm removes the workspace after publishing
        Assert.True(await Eventually.GoneAsync(Path.Combine(fixture.Evicting.WorkDirectory, "job-" + job["id"]!.GetValue<string>())));

        // c-evict keeps no git cache (limit 0): the probe removes the mirror, its workspace being gone
        var server = await fixture.ProbeAsync("c-evict");
        Assert.True(server["caches"]!["repositories"]!.AsArray().Count == 0, server["caches"]!.ToJsonString());
        Assert.Empty(Directory.GetDirectories(mirrors, "*.git"));

        // a kept workspace is a worktree of the mirror: the mirror stays, whatever the limit
        var (kept, keptLog, _) = await fixture.RunAsync(fixture.Job("arm64", keepWorkspace: true));
        Assert.Contains("git init -q --bare", keptLog, StringComparison.Ordinal); // made again
        server = await fixture.ProbeAsync("c-evict");
        Assert.Single(server["caches"]!["repositories"]!.AsArray());
        Assert.Single(Directory.GetDirectories(mirrors, "*.git"));
        Assert.Equal("completed", FarmProcess.Status(kept));
    }
}
