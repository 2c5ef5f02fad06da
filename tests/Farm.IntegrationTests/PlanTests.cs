using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// TuxSuite plans on a real farm: a plan file as its authors write it, over the fixture tree, on two
/// servers and three architectures (docs/plans.md).
/// </summary>
[Trait("Tier", "Full")] // its own farm and a few dozen builds; CI runs it
public sealed class PlanTests
{
    private const string Plans = "api/v1/plans";

    /// <summary>21 builds: 3 architectures × 3 configs × 2 fragment sets, a failing one, a W=1, and one no server can run.</summary>
    private static string MatrixPlan()
    {
        var yaml = new StringBuilder("""
            version: 1
            name: fixture matrix
            description: every architecture the fixture servers offer
            jobs:
            - name: defconfigs
              builds:

            """);
        foreach (var arch in new[] { "x86_64", "arm64", "i386" })
        foreach (var config in new[] { "tinyconfig", "defconfig", "allnoconfig" })
        {
            yaml.Append($"  - {{target_arch: {arch}, toolchain: gcc-12, kconfig: {config}}}\n");
            yaml.Append($"  - {{target_arch: {arch}, toolchain: gcc-12, kconfig: [{config}, CONFIG_DEBUG_KERNEL=y, '# CONFIG_WERROR is not set']}}\n");
        }
        yaml.Append("""
            - name: extras
              builds:
              - target_arch: x86_64
                toolchain: korg-gcc-12
                kconfig: [tinyconfig, CONFIG_FAKE_BROKEN=y]
              - target_arch: arm64
                toolchain: gcc-12
                kconfig: defconfig
                targets: [config, kernel, dtbs]
                make_variables: {W: 1}
              - target_arch: powerpc
                toolchain: gcc-12
                kconfig: ppc64_defconfig

            """);
        return yaml.ToString();
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> SubmitAsync(FarmProcess farm, string plan, string repo, string? jobName = null, string contentType = "application/yaml",
        string? sha = null)
    {
        var url = $"{Plans}?git_repo={Uri.EscapeDataString(repo)}&git_ref=master" + (jobName is null ? "" : $"&job_name={Uri.EscapeDataString(jobName)}")
            + (sha is null ? "" : $"&git_sha={sha}");
        using var r = await farm.Http.PostAsync(url, new StringContent(plan, Encoding.UTF8, contentType));
        return (r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject());
    }

    private static Task<JsonObject> WaitForEndAsync(FarmProcess farm, string id, TimeSpan timeout) =>
        Eventually.ValueAsync(async () => (await farm.Http.GetFromJsonAsync<JsonObject>($"{Plans}/{id}"))!,
            p => p["state"]!.GetValue<string>() == "ended", timeout, $"plan {id} to end");

    [Fact]
    public async Task A_tuxsuite_plan_runs_every_build_it_can_across_servers_and_reports_the_matrix()
    {
        using var root = TempDirectory.Create("plans");
        await using var a = await SshBuildServer.StartAsync("127.0.0.21");
        await using var b = await SshBuildServer.StartAsync("127.0.0.22");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        using var tree = FakeKernelTree.Create(repos);
        await using var git = await GitDaemon.StartAsync(repos);
        // kconfig URLs: served here, fetched only under the prefix the farm allows
        using var fragments = new HttpListener();
        var fragmentPort = FreePort.Get();
        fragments.Prefixes.Add($"http://127.0.0.1:{fragmentPort}/");
        fragments.Start();
        _ = ServeFragmentsAsync(fragments);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"),
            new Dictionary<string, string> { ["Farm__KconfigUrlPrefixes__0"] = $"http://127.0.0.1:{fragmentPort}/fragments/" });
        var arm = FarmProcess.Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-");
        await farm.RegisterServerAsync(a, "plan-a", ["x86_64", "i386", "arm64"], [FarmProcess.Toolchain("gcc-12", ["x86_64", "i386"]), arm], maxJobs: 2);
        await farm.RegisterServerAsync(b, "plan-b", ["x86_64", "i386", "arm64"], [FarmProcess.Toolchain("gcc-12", ["x86_64", "i386"]), arm.DeepClone()], maxJobs: 2);
        var repo = git.Url(FakeKernelTree.RepoDirName);

        var (status, accepted) = await SubmitAsync(farm, MatrixPlan(), repo, sha: tree.HeadCommit);
        Assert.True(status == HttpStatusCode.Accepted, accepted.ToJsonString());
        var id = accepted["id"]!.GetValue<string>();
        Assert.Equal("fixture matrix", accepted["name"]!.GetValue<string>());
        var builds = accepted["builds"]!.AsArray();
        Assert.Equal(21, builds.Count);
        var unsupported = Assert.Single(builds, x => x!["state"]!.GetValue<string>() == "unsupported")!;
        Assert.Equal("jobs[1].builds[2]", unsupported["path"]!.GetValue<string>());
        Assert.Contains("architecture powerpc", unsupported["unsupported"]!.GetValue<string>());
        Assert.Null(unsupported["job_id"]);

        var ended = await WaitForEndAsync(farm, id, TimeSpan.FromMinutes(6));
        var counts = ended["counts"]!;
        Assert.Equal((19, 1, 1, 0), (counts["completed"]!.GetValue<int>(), counts["failed"]!.GetValue<int>(),
            counts["unsupported"]!.GetValue<int>(), counts["queued"]!.GetValue<int>() + counts["running"]!.GetValue<int>()));
        Assert.Equal("fail", ended["result"]!.GetValue<string>()); // pass only if every supported build passed
        Assert.NotNull(ended["ended_at"]);

        // each build ran as the job the plan says, with its fragments, variables and targets
        var jobs = new List<JsonObject>();
        foreach (var build in ended["builds"]!.AsArray().Where(x => x!["job_id"] is not null))
        {
            var job = await farm.GetJobAsync(build!["job_id"]!.GetValue<string>());
            jobs.Add(job);
            Assert.Equal(build["state"]!.GetValue<string>(), FarmProcess.Status(job));
            Assert.Equal(build["target_arch"]!.GetValue<string>(), job["target_architecture"]!.GetValue<string>());
            var kconfig = build["kconfig"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
            Assert.Equal(kconfig[0], job["build_config"]!["kernel_config"]!.GetValue<string>());
            Assert.Equal(kconfig.Skip(1), job["build_config"]!["kconfig_fragments"]!.AsArray().Select(k => k!.GetValue<string>()));
        }
        var broken = jobs.Single(j => FarmProcess.Status(j) == "failed");
        Assert.Equal("build", broken["failure"]!["kind"]!.GetValue<string>());
        // each build's warnings and errors, on its job and in the plan (the broken one's compile error)
        Assert.Equal((1, 1), (broken["errors"]!.GetValue<int>(), ended["builds"]!.AsArray().Single(x => x!["state"]!.GetValue<string>() == "failed")!["errors"]!.GetValue<int>()));
        Assert.All(ended["builds"]!.AsArray().Where(x => x!["state"]!.GetValue<string>() == "completed"), x => Assert.Equal(0, x!["errors"]!.GetValue<int>()));
        Assert.Equal("gcc-12", broken["toolchain"]!.GetValue<string>()); // korg-gcc-12 → the servers' gcc-12
        var w1 = jobs.Single(j => j["build_config"]!["make_variables"]?["W"] is not null);
        Assert.Contains("W=1", await farm.GetLogAsync(w1["id"]!.GetValue<string>()));
        Assert.Equal(["config", "kernel", "dtbs"], w1["build_config"]!["targets"]!.AsArray().Select(t => t!.GetValue<string>()));
        // spread over both servers
        Assert.Equal(["plan-a", "plan-b"], jobs.Select(j => j["server_id"]!.GetValue<string>()).Distinct().Order());

        // the list of plans (from the job index: it may trail by a moment)
        var listed = await Eventually.ValueAsync(async () => (await farm.Http.GetFromJsonAsync<JsonObject>($"{Plans}?limit=10"))!,
            l => l["plans"]!.AsArray().Any(p => p!["id"]!.GetValue<string>() == id && p["result"] is not null), TimeSpan.FromSeconds(30), "the plan in the list");
        var item = listed["plans"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(("fixture matrix", "ended", "fail", 21), (item["name"]!.GetValue<string>(), item["state"]!.GetValue<string>(),
            item["result"]!.GetValue<string>(), item["builds"]!.GetValue<int>()));

        // The same plan again: every build that completed is completed from its result (not built again,
        // files shared); the failed one builds again and fails again; docs/reuse.md.
        var (againStatus, again) = await SubmitAsync(farm, MatrixPlan(), repo, sha: tree.HeadCommit);
        Assert.Equal(HttpStatusCode.Accepted, againStatus);
        var againEnded = await WaitForEndAsync(farm, again["id"]!.GetValue<string>(), TimeSpan.FromMinutes(3));
        Assert.Equal((19, 1), (againEnded["counts"]!["completed"]!.GetValue<int>(), againEnded["counts"]!["failed"]!.GetValue<int>()));
        var firstByPath = ended["builds"]!.AsArray().ToDictionary(x => x!["path"]!.GetValue<string>(), x => x!["job_id"]?.GetValue<string>());
        foreach (var build in againEnded["builds"]!.AsArray().Where(x => x!["job_id"] is not null))
        {
            var job = await farm.GetJobAsync(build!["job_id"]!.GetValue<string>());
            var source = firstByPath[build["path"]!.GetValue<string>()]!;
            if (FarmProcess.Status(job) == "failed")
            {   // a failure is never reused: it ran again
                Assert.Null(job["reused_from"]);
                Assert.Single(job["attempts"]!.AsArray());
                continue;
            }
            Assert.Equal(source, job["reused_from"]?.GetValue<string>());
            Assert.Empty(job["attempts"]!.AsArray()); // never on a server
            var original = jobs.Single(j => j["id"]!.GetValue<string>() == source);
            Assert.Equal(Files(original), Files(job));
            var (vmlinux, sourceVmlinux) = (Path.Combine(job["artifact_directory"]!.GetValue<string>(), "vmlinux"),
                Path.Combine(original["artifact_directory"]!.GetValue<string>(), "vmlinux"));
            Assert.Equal(await Inode(sourceVmlinux), await Inode(vmlinux)); // shared, not copied or uploaded again
            var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(job["artifact_directory"]!.GetValue<string>(), "metadata.json")))!;
            Assert.Equal((job["id"]!.GetValue<string>(), source), (metadata["job_id"]!.GetValue<string>(), metadata["reused_from"]!.GetValue<string>()));
        }

        // a job with the same inputs as one of the plan's builds takes its result too; no_cache builds it
        JsonObject Single(bool noCache) => new()
        {
            ["source_repository"] = repo, ["branch"] = "master", ["commit_hash"] = tree.HeadCommit, ["target_architecture"] = "x86_64",
            ["toolchain"] = "gcc-12", ["no_cache"] = noCache, ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig" },
        };
        var reused = await farm.WaitForEndAsync(await farm.SubmitAsync(Single(noCache: false)), TimeSpan.FromMinutes(1));
        Assert.Equal("completed", FarmProcess.Status(reused));
        var tinyX86 = jobs.Single(j => j["target_architecture"]!.GetValue<string>() == "x86_64" && j["build_config"]!["kernel_config"]!.GetValue<string>() == "tinyconfig"
            && j["build_config"]!["kconfig_fragments"]!.AsArray().Count == 0);
        Assert.Equal(tinyX86["id"]!.GetValue<string>(), reused["reused_from"]?.GetValue<string>());
        var built = await farm.WaitForEndAsync(await farm.SubmitAsync(Single(noCache: true)), TimeSpan.FromMinutes(2));
        Assert.Equal(("completed", null, 1), (FarmProcess.Status(built), built["reused_from"]?.GetValue<string>(), built["attempts"]!.AsArray().Count));
        Assert.Equal(Files(tinyX86).Where(f => f.Path == "vmlinux"), Files(built).Where(f => f.Path == "vmlinux")); // reproducible: the same bytes

        // the same file as JSON, one job of it by name
        // (with a config fragment target, as kvm_guest.config: make fake_guest.config merges kernel/configs/fake_guest.config)
        var json = """{"version": 1, "jobs": [{"name": "one", "build": {"target_arch": "arm64", "toolchain": "gcc-12", "kconfig": ["tinyconfig", "fake_guest.config"]}}, {"name": "two", "builds": [{"target_arch": "x86_64", "toolchain": "gcc-12"}]}]}""";
        var (jsonStatus, one) = await SubmitAsync(farm, json, repo, jobName: "one", contentType: "application/json");
        Assert.Equal(HttpStatusCode.Accepted, jsonStatus);
        Assert.Equal("jobs[0].build", Assert.Single(one["builds"]!.AsArray())!["path"]!.GetValue<string>());
        var oneEnded = await WaitForEndAsync(farm, one["id"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
        Assert.Equal("pass", oneEnded["result"]!.GetValue<string>());
        var guest = await farm.GetJobAsync(oneEnded["builds"]![0]!["job_id"]!.GetValue<string>());
        Assert.Contains("CONFIG_FAKE_GUEST=y", await File.ReadAllTextAsync(Path.Combine(guest["artifact_directory"]!.GetValue<string>(), "config")));
        Assert.Contains("Merging kernel/configs/fake_guest.config", await farm.GetLogAsync(guest["id"]!.GetValue<string>()));

        // kconfig URLs: one under the allowed prefix is fetched at submission and its lines become the job's;
        // one elsewhere, and one the server does not have, make their builds unsupported with the reason
        var fragmentBase = $"http://127.0.0.1:{fragmentPort}";
        var urlPlan = string.Join('\n', "version: 1", "jobs:", "- name: urls", "  builds:",
            $"  - {{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, '{fragmentBase}/fragments/guest.config']}}",
            $"  - {{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, '{fragmentBase}/elsewhere/guest.config']}}",
            $"  - {{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, '{fragmentBase}/fragments/missing.config']}}", "");
        var (urlStatus, urlAccepted) = await SubmitAsync(farm, urlPlan, repo);
        Assert.True(urlStatus == HttpStatusCode.Accepted, urlAccepted.ToJsonString());
        var urlEnded = await WaitForEndAsync(farm, urlAccepted["id"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
        var urlBuilds = urlEnded["builds"]!.AsArray();
        Assert.Equal("completed", urlBuilds[0]!["state"]!.GetValue<string>());
        Assert.Contains("not under a prefix", urlBuilds[1]!["unsupported"]!.GetValue<string>());
        Assert.Contains("HTTP 404", urlBuilds[2]!["unsupported"]!.GetValue<string>());
        var fromUrl = await farm.GetJobAsync(urlBuilds[0]!["job_id"]!.GetValue<string>());
        Assert.Equal(["CONFIG_FROM_URL=y", "# CONFIG_FAKE_BROKEN is not set"], fromUrl["build_config"]!["kconfig_fragments"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Contains("CONFIG_FROM_URL=y", await File.ReadAllTextAsync(Path.Combine(fromUrl["artifact_directory"]!.GetValue<string>(), "config")));
    }

    /// <summary>Serves /fragments/guest.config (a comment and two lines); anything else is 404.</summary>
    private static async Task ServeFragmentsAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) { return; } // stopped
            var found = context.Request.Url!.AbsolutePath == "/fragments/guest.config";
            context.Response.StatusCode = found ? 200 : 404;
            if (found) await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("# from a URL\nCONFIG_FROM_URL=y\n# CONFIG_FAKE_BROKEN is not set\n"));
            context.Response.Close();
        }
    }

    private static List<(string Path, string Sha256)> Files(JsonObject job) =>
        job["artifacts"]!.AsArray().Select(a => (a!["path"]!.GetValue<string>(), a["sha256"]!.GetValue<string>()))
            .OrderBy(a => a.Item1, StringComparer.Ordinal).ToList();

    private static async Task<string> Inode(string path)
    {
        var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        return inode;
    }

    [Fact]
    public async Task Malformed_plans_are_refused_naming_the_path_and_cancel_stops_a_plan()
    {
        using var root = TempDirectory.Create("plans-cancel");
        await using var a = await SshBuildServer.StartAsync("127.0.0.23");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        using var tree = FakeKernelTree.Create(repos);
        await using var git = await GitDaemon.StartAsync(repos);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"));
        await farm.RegisterServerAsync(a, "plan-c", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 1);
        var repo = git.Url(FakeKernelTree.RepoDirName);

        foreach (var (plan, field) in new[]
        {
            ("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, kconfig: {x: 1}}]}]", "jobs[0].builds[0].kconfig"),
            ("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, 'CONFIG_X=$(reboot)']}]}]", "jobs[0].builds[0].kconfig[1]"),
            ("version: 1\njobs: [{builds: [{target_arch: x86_64, toolchain: gcc-12, make_variables: {'W;id': 1}}]}]", "jobs[0].builds[0].make_variables.W;id"),
            ("version: 1\njobs: [{builds: [{target_arch: x86_64}]}]", "jobs[0].builds[0].toolchain"),
            // 100,000 nested brackets: refused, and the node lives on (a recursive YAML reader would overflow its stack)
            ("version: 1\njobs: " + new string('[', 100_000) + new string(']', 100_000), "nests deeper"),
        })
        {
            var (status, problem) = await SubmitAsync(farm, plan, repo);
            Assert.True(status == HttpStatusCode.BadRequest, $"{plan}: {(int)status} {problem.ToJsonString()}");
            Assert.Contains(field, problem.ToJsonString());
        }
        var (noRepo, noRepoProblem) = await SubmitAsync(farm, "version: 1\njobs: [{build: {target_arch: x86_64, toolchain: gcc-12}}]", "");
        Assert.Equal(HttpStatusCode.BadRequest, noRepo);
        Assert.Contains("git_repo", noRepoProblem.ToJsonString());
        using (var missing = await farm.Http.GetAsync($"{Plans}/{Guid.NewGuid()}"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // four slow builds on one slot: cancel while the first runs
        var slow = "version: 1\njobs: [{name: slow, builds: [" + string.Join(", ", Enumerable.Range(0, 4).Select(_ =>
            "{target_arch: x86_64, toolchain: gcc-12, kconfig: tinyconfig, environment: {FAKE_BUILD_SECONDS: '60'}}")) + "]}]";
        var (accepted, plan2) = await SubmitAsync(farm, slow, repo);
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        var id = plan2["id"]!.GetValue<string>();
        await Eventually.ValueAsync(async () => (await farm.Http.GetFromJsonAsync<JsonObject>($"{Plans}/{id}"))!,
            p => p["counts"]!["running"]!.GetValue<int>() == 1, TimeSpan.FromSeconds(60), "a build to run");
        using (var cancel = await farm.Http.PostAsync($"{Plans}/{id}/cancel", null))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var ended = await WaitForEndAsync(farm, id, TimeSpan.FromSeconds(90));
        Assert.Equal(4, ended["counts"]!["cancelled"]!.GetValue<int>());
        Assert.Equal("fail", ended["result"]!.GetValue<string>());
        Assert.True(ended["cancel_requested"]!.GetValue<bool>());
        foreach (var build in ended["builds"]!.AsArray().Where(x => x!["job_id"] is not null))
            Assert.Equal("cancelled", FarmProcess.Status(await farm.GetJobAsync(build!["job_id"]!.GetValue<string>())));
        using (var again = await farm.Http.PostAsync($"{Plans}/{id}/cancel", null))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task The_plans_webhook_fires_once_after_every_build_has_ended()
    {
        using var root = TempDirectory.Create("plans-webhook");
        await using var a = await SshBuildServer.StartAsync("127.0.0.24");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        using var tree = FakeKernelTree.Create(repos);
        await using var git = await GitDaemon.StartAsync(repos);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"), new Dictionary<string, string>
        {
            ["Farm__Webhooks__AllowedNetworks__0"] = "127.0.0.0/8", // the receiver is on loopback
            ["Farm__WebhookBackoff"] = "00:00:00.200",
        });
        await farm.RegisterServerAsync(a, "plan-w", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 2);

        // a receiver that fails its first call: the farm tries again, and stops at the first 2xx
        var port = FreePort.Get("127.0.0.1");
        var calls = new System.Collections.Concurrent.ConcurrentQueue<(string? Event, string? Delivery, string? Token, JsonObject Body)>();
        var failFirst = 1;
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                using var reader = new StreamReader(ctx.Request.InputStream);
                calls.Enqueue((ctx.Request.Headers["X-KernelFarm-Event"], ctx.Request.Headers["X-KernelFarm-Delivery"], ctx.Request.Headers["X-Receiver-Token"],
                    JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject()));
                ctx.Response.StatusCode = Interlocked.Decrement(ref failFirst) >= 0 ? 503 : 200;
                ctx.Response.Close();
            }
        });

        const string plan = "version: 1\njobs: [{name: w, builds: [{target_arch: x86_64, toolchain: gcc-12, kconfig: tinyconfig}, {target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_FAKE_BROKEN=y]}]}]";
        var url = $"{Plans}?git_repo={Uri.EscapeDataString(git.Url(FakeKernelTree.RepoDirName))}&git_ref=master" +
                  $"&callback={Uri.EscapeDataString($"http://127.0.0.1:{port}/plan-done")}&callback_header={Uri.EscapeDataString("X-Receiver-Token: t0k3n")}";
        using var r = await farm.Http.PostAsync(url, new StringContent(plan, Encoding.UTF8, "application/yaml"));
        var accepted = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, accepted.ToJsonString());
        var id = accepted["id"]!.GetValue<string>();

        var ended = await WaitForEndAsync(farm, id, TimeSpan.FromSeconds(120));
        await Eventually.ValueAsync(() => Task.FromResult(calls.Count), n => n >= 2, TimeSpan.FromSeconds(30), "the webhook's retry");
        await Consistently.HoldsAsync(() => { Assert.Equal(2, calls.Count); return Task.CompletedTask; }, TimeSpan.FromSeconds(3)); // none after the delivery
        Assert.All(calls, c =>
        {
            Assert.Equal("plan-ended", c.Event);
            Assert.Equal($"plan-{id}-0", c.Delivery);
            Assert.Equal("t0k3n", c.Token);
            Assert.Equal(id, c.Body["plan"]!["id"]!.GetValue<string>());
            Assert.Equal("fail", c.Body["plan"]!["result"]!.GetValue<string>());
            Assert.Equal((1, 1), (c.Body["plan"]!["counts"]!["completed"]!.GetValue<int>(), c.Body["plan"]!["counts"]!["failed"]!.GetValue<int>()));
            Assert.Equal(["completed", "failed"], c.Body["plan"]!["builds"]!.AsArray().Select(b => b!["state"]!.GetValue<string>()));
        });
        Assert.Equal("fail", ended["result"]!.GetValue<string>());

        // a callback the farm may not call is refused when the plan is submitted
        var refused = $"{Plans}?git_repo={Uri.EscapeDataString(git.Url(FakeKernelTree.RepoDirName))}&git_ref=master&callback={Uri.EscapeDataString("http://169.254.169.254/latest")}";
        using var bad = await farm.Http.PostAsync(refused, new StringContent(plan, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("callback", await bad.Content.ReadAsStringAsync());
        listener.Stop();
        await serving;
    }

    [Fact]
    public async Task A_node_killed_while_a_plan_is_being_queued_runs_every_build_once_after_its_restart()
    {
        using var root = TempDirectory.Create("plans-crash");
        await using var a = await SshBuildServer.StartAsync("127.0.0.25");
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        using var tree = FakeKernelTree.Create(repos);
        await using var git = await GitDaemon.StartAsync(repos);
        await using var farm = await FarmProcess.StartAsync(Path.Combine(root.Path, "node"));
        await farm.RegisterServerAsync(a, "plan-k", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 2);

        var plan = "version: 1\njobs: [{name: many, builds: [" + string.Join(", ", Enumerable.Range(0, 8).Select(i =>
            $"{{target_arch: x86_64, toolchain: gcc-12, kconfig: [tinyconfig, CONFIG_N{i}=y]}}")) + "]}]";
        var (status, accepted) = await SubmitAsync(farm, plan, git.Url(FakeKernelTree.RepoDirName));
        Assert.Equal(HttpStatusCode.Accepted, status);
        farm.Kill(); // SIGKILL right after the answer: the plan is persisted, its builds queued or not yet
        await farm.RestartAsync();

        var id = accepted["id"]!.GetValue<string>();
        var ended = await WaitForEndAsync(farm, id, TimeSpan.FromMinutes(3));
        Assert.Equal(8, ended["counts"]!["completed"]!.GetValue<int>());
        Assert.Equal("pass", ended["result"]!.GetValue<string>());
        // every build ran once, as the job the plan decided for it: no job twice, no job the plan does not name
        var planned = ended["builds"]!.AsArray().Select(b => b!["job_id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(accepted["builds"]!.AsArray().Select(b => b!["job_id"]!.GetValue<string>()).ToHashSet(), planned);
        var listed = await Eventually.ValueAsync(async () => (await farm.Http.GetFromJsonAsync<JsonObject>("api/v1/infrastructure/build-jobs?limit=100"))!,
            l => l["total"]!.GetValue<int>() >= 8, TimeSpan.FromSeconds(30), "the jobs in the list");
        Assert.Equal(planned.Order(), listed["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()).Order());
    }
}
