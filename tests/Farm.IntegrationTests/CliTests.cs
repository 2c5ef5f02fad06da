using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>A farm with real sshd build servers, and one fast job that completed, shared by <see cref="CliTests"/>.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    private Task<string>? _completedJob;

    public FarmWithServers Env { get; private set; } = null!;

    /// <summary>A folder for what the CLI writes (downloads, config files); its HOME, so no user config is read.</summary>
    public TempDirectory Work { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Env = await FarmWithServers.StartAsync();
        Work = TempDirectory.Create("cli");
    }

    /// <summary>Submitted once through the farm's API (not the CLI) so the read-only tests do not depend on `jobs submit`.</summary>
    public Task<string> CompletedJobAsync() => _completedJob ??= SubmitAndWaitAsync();

    private async Task<string> SubmitAndWaitAsync()
    {
        var id = await Env.Farm.SubmitAsync(Env.Job());
        var job = await Env.Farm.WaitForEndAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal("completed", FarmProcess.Status(job));
        return id;
    }

    public async Task DisposeAsync()
    {
        await Env.DisposeAsync();
        Work.Dispose();
    }
}

/// <summary>
/// The real kfarm tool (the built src/Farm.Cli, run as `dotnet kfarm.dll …`) against a real farm
/// host: what it prints, what it sends, and its exit codes.
/// </summary>
public sealed partial class CliTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;
    private string Endpoint => $"http://127.0.0.1:{Farm.HttpPort}";

    // ---- servers ---------------------------------------------------------------------------

    [Fact]
    public async Task Servers_list_prints_a_table_of_both_servers()
    {
        var r = await Kfarm("servers", "list");
        AssertExit(0, r);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID ", lines[0]);
        foreach (var column in new[] { "ADDRESS", "ARCHES", "TOOLCHAINS", "SLOTS", "HEALTH", "DRAINING" }) Assert.Contains(column, lines[0]);
        var x86 = Assert.Single(lines, l => l.StartsWith("x86 "));
        Assert.Contains($"{Env.X86.IpAddress}:{Env.X86.Port}", x86);
        Assert.Contains("x86_64,i386", x86);
        Assert.Contains("gcc-12:x86_64,i386", x86);
        Assert.Contains("/1", x86);
        Assert.Single(lines, l => l.StartsWith("arm "));
    }

    [Fact]
    public async Task Servers_list_json_is_the_apis_json()
    {
        var r = await Kfarm("servers", "list", "--json");
        AssertExit(0, r);
        var ids = JsonNode.Parse(r.Stdout)!["servers"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
        Assert.Contains("x86", ids);
        Assert.Contains("arm", ids);
    }

    [Fact]
    public async Task Servers_show_prints_one_server()
    {
        var r = await Kfarm("servers", "show", "arm");
        AssertExit(0, r);
        Assert.Contains("id:", r.Stdout);
        Assert.Contains($"{Env.Arm.IpAddress}:{Env.Arm.Port}", r.Stdout);
        Assert.Contains("CROSS_COMPILE=aarch64-linux-gnu-", r.Stdout);
        Assert.Contains(Env.Arm.HostKeyFingerprintSha256, r.Stdout);
    }

    [Fact]
    public async Task An_unknown_server_exits_3_with_the_farms_message()
    {
        var r = await Kfarm("servers", "show", "no-such-server");
        AssertExit(3, r);
        Assert.Equal("", r.Stdout);
        Assert.StartsWith("kfarm: build server not found", r.Stderr);
    }

    [Fact]
    public async Task Drain_and_undrain_flip_the_draining_flag()
    {
        try
        {
            AssertExit(0, await Kfarm("servers", "drain", "arm"));
            Assert.True((await Farm.Http.GetFromJsonNode("api/v1/infrastructure/build-servers/arm"))["draining"]!.GetValue<bool>());
            var list = await Kfarm("servers", "list");
            Assert.EndsWith("yes", Assert.Single(list.Stdout.Split('\n'), l => l.StartsWith("arm ")).TrimEnd());

            var r = await Kfarm("servers", "undrain", "arm", "--json");
            AssertExit(0, r);
            Assert.False(JsonNode.Parse(r.Stdout)!["draining"]!.GetValue<bool>());
        }
        finally
        {
            await Farm.Http.PostAsync("api/v1/infrastructure/build-servers/arm/undrain", null);
        }
    }

    [Fact]
    public async Task Servers_probe_answers_with_fresh_health()
    {
        var r = await Kfarm("servers", "probe", "x86", "--json");
        AssertExit(0, r);
        var server = JsonNode.Parse(r.Stdout)!;
        Assert.Equal("healthy", server["health"]!.GetValue<string>());
        Assert.True(server["last_probe_at"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddSeconds(-30));
    }

    [Fact]
    public async Task Servers_add_reads_the_host_key_over_ssh_and_with_yes_registers_the_server_pinned_to_it()
    {
        var args = new List<string>
        {
            "servers", "add", "--id", "cli-added", "--ip", Env.Arm.IpAddress, "--port", Env.Arm.Port.ToString(),
            "--user", Env.Arm.Username, "--key-path", Env.Arm.PrivateKeyPath, "--arch", "arm64",
            "--toolchain", "gcc-12:arm64:aarch64-linux-gnu-", "--cores", "2", "--memory-mb", "2048", "--storage-gb", "10",
            "--max-jobs", "1", "--workspace-root", Env.Arm.WorkDirectory,
        };
        try
        {
            // no terminal to ask on and no --yes: refused before anything is registered
            var refused = await Kfarm([.. args]);
            AssertExit(2, refused);
            Assert.Contains(Env.Arm.HostKeyFingerprintSha256, refused.Stdout);
            Assert.Contains("--yes", refused.Stderr);
            AssertExit(3, await Kfarm("servers", "show", "cli-added"));

            var r = await Kfarm([.. args, "--yes"]);
            AssertExit(0, r);
            Assert.Contains($"is {Env.Arm.HostKeyFingerprintSha256}", r.Stdout);
            var server = await Farm.Http.GetFromJsonNode("api/v1/infrastructure/build-servers/cli-added");
            Assert.Equal(Env.Arm.HostKeyFingerprintSha256, server["ssh_host_key_fingerprint"]!.GetValue<string>());
            Assert.Equal("aarch64-linux-gnu-", server["toolchains"]![0]!["cross_compile"]!.GetValue<string>());
            Assert.Equal(Env.Arm.IpAddress, server["hostname"]!.GetValue<string>());

            var again = await Kfarm([.. args, "--yes"]);
            AssertExit(5, again); // duplicate id: 409
            Assert.StartsWith("kfarm: ", again.Stderr);

            var removed = await Kfarm("servers", "remove", "cli-added");
            AssertExit(0, removed);
            AssertExit(3, await Kfarm("servers", "show", "cli-added"));
        }
        finally
        {
            await Farm.Http.DeleteAsync("api/v1/infrastructure/build-servers/cli-added");
        }
    }

    [Fact]
    public async Task Servers_add_takes_a_yaml_file_with_the_apis_field_names_and_flags_over_it()
    {
        var file = Path.Combine(fixture.Work.Path, "server.yaml");
        await File.WriteAllTextAsync(file, $"""
            # a build server as the API's BuildServer JSON, in YAML
            id: from-yaml
            hostname: from-yaml.test
            ip_address: {Env.X86.IpAddress}
            ssh_port: {Env.X86.Port}
            ssh_username: {Env.X86.Username}
            ssh_key_path: {Env.X86.PrivateKeyPath}
            ssh_host_key_fingerprint: "{Env.X86.HostKeyFingerprintSha256}"
            supported_architectures: [x86_64]
            toolchains:
              - name: gcc-12
                target_architectures: [x86_64]
                cross_compile: ""
            total_cpu_cores: 2
            total_memory_mb: 1024
            total_storage_gb: 5
            max_concurrent_jobs: 1
            workspace_root: {Env.X86.WorkDirectory}
            """);
        try
        {
            var r = await Kfarm("servers", "add", "--file", file, "--max-jobs", "3", "--json");
            AssertExit(0, r);
            var server = JsonNode.Parse(r.Stdout)!;
            Assert.Equal("from-yaml", server["id"]!.GetValue<string>());
            Assert.Equal(3, server["max_concurrent_jobs"]!.GetValue<int>());
            Assert.Equal(Env.X86.Port, server["ssh_port"]!.GetValue<int>());
        }
        finally
        {
            await Farm.Http.DeleteAsync("api/v1/infrastructure/build-servers/from-yaml");
        }
    }

    [Fact]
    public async Task A_wrong_pinned_fingerprint_is_the_farms_400_naming_the_field()
    {
        var r = await Kfarm("servers", "add", "--id", "bad-key", "--ip", Env.X86.IpAddress, "--port", Env.X86.Port.ToString(),
            "--user", Env.X86.Username, "--key-path", Env.X86.PrivateKeyPath, "--arch", "x86_64", "--toolchain", "gcc-12:x86_64",
            "--workspace-root", Env.X86.WorkDirectory, "--fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        AssertExit(2, r);
        Assert.Contains("ssh_host_key_fingerprint", r.Stderr);
    }

    // ---- jobs ------------------------------------------------------------------------------

    [Fact]
    public async Task Submit_with_wait_follows_the_job_to_completion_and_exits_0()
    {
        var r = await Kfarm(["jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--config", "tinyconfig", "--wait"], JobTimeout);
        AssertExit(0, r);
        var summary = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        Assert.Matches("^job [0-9a-f-]{36} completed in .* on x86: [0-9]+ artifacts$", summary);
        // not a terminal: plain progress lines, no cursor control
        Assert.False(r.Stdout.Contains('\u001b'), "cursor control in the output of a non-terminal");
        Assert.Matches("(?m)^job [0-9a-f-]{36}  (queued|assigned|preparing|configuring|building|collecting|transferring)  ", r.Stdout);
    }

    [Fact]
    public async Task Submit_with_wait_and_json_prints_the_final_job_only()
    {
        var r = await Kfarm(["jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--config", "tinyconfig",
            "--make-opt", "-j2", "--env", "CLI_TEST_VAR=yes", "--priority", "3", "--idempotency-key", Guid.NewGuid().ToString(),
            "--wait", "--json"], JobTimeout);
        AssertExit(0, r);
        var job = JsonNode.Parse(r.Stdout)!.AsObject();
        Assert.Equal("completed", FarmProcess.Status(job));
        Assert.Equal(["-j2"], job["build_config"]!["extra_make_args"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(3, job["priority"]!.GetValue<int>());
        Artifacts.AssertStorageMatchesRecord(job);
    }

    [Fact]
    public async Task A_build_that_fails_exits_1_with_its_reason()
    {
        var r = await Kfarm(["jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--config", "nosuchconfig", "--wait"], JobTimeout);
        AssertExit(1, r);
        Assert.Contains("failed", r.Stdout);
        Assert.Contains("build failure in configuring, exit code 2", r.Stdout);
        Assert.Matches("kfarm: job [0-9a-f-]{36} failed", r.Stderr);
    }

    [Fact]
    public async Task Submit_from_a_json_file_with_follow_streams_the_log_and_exits_0()
    {
        var file = Path.Combine(fixture.Work.Path, "job.json");
        await File.WriteAllTextAsync(file, Env.Job(buildSeconds: 2).ToJsonString());
        var r = await Kfarm(["jobs", "submit", "--file", file, "--follow"], JobTimeout);
        AssertExit(0, r);
        var id = System.Text.RegularExpressions.Regex.Match(r.Stdout, "job ([0-9a-f-]{36}) submitted").Groups[1].Value;
        var log = await Farm.GetLogAsync(id);
        Assert.Contains("==> kfarm: step building", r.Stdout);
        Assert.Contains(log.TrimEnd('\n'), r.Stdout); // the whole log, once, in order
        Assert.Contains($"job {id} completed", r.Stdout);
    }

    [Fact]
    public async Task Submit_without_repository_is_a_usage_error_and_sends_nothing()
    {
        var before = await JobTotal();
        var r = await Kfarm("jobs", "submit", "--arch", "x86_64");
        AssertExit(2, r);
        Assert.Contains("--repo", r.Stderr);
        Assert.Equal(before, await JobTotal());
    }

    [Fact]
    public async Task An_invalid_field_is_the_farms_400_naming_it_with_exit_2()
    {
        var r = await Kfarm("jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--timeout-minutes", "0");
        AssertExit(2, r);
        Assert.StartsWith("kfarm: Invalid request", r.Stderr);
        Assert.Contains("build_config.timeout_minutes", r.Stderr);
    }

    [Fact]
    public async Task An_architecture_no_server_builds_is_422_with_exit_5()
    {
        var r = await Kfarm("jobs", "submit", "--repo", Env.RepoUrl, "--arch", "riscv64");
        AssertExit(5, r);
        Assert.Contains("target_architecture", r.Stderr);
    }

    [Fact]
    public async Task Jobs_logs_prints_the_log_as_stored()
    {
        var id = await fixture.CompletedJobAsync();
        var r = await Kfarm("jobs", "logs", id);
        AssertExit(0, r);
        Assert.Equal(await Farm.GetLogAsync(id), r.Stdout);
        Assert.Contains("==> kfarm: step building", r.Stdout);
    }

    [Fact]
    public async Task Jobs_logs_follow_streams_a_running_build_to_its_end_without_loss_or_duplicate()
    {
        var id = await Farm.SubmitAsync(Env.Job(buildSeconds: 4));
        await Farm.WaitForAsync(id, j => FarmProcess.Status(j) is "building" or "collecting" or "transferring" or "completed", JobTimeout);
        var r = await Kfarm(["jobs", "logs", id, "-f"], JobTimeout);
        AssertExit(0, r);
        Assert.Equal(await Farm.GetLogAsync(id), r.Stdout);
        Assert.Contains($"job {id} completed", r.Stderr);
    }

    [Fact]
    public async Task Jobs_show_prints_the_job_and_json_is_the_apis()
    {
        var id = await fixture.CompletedJobAsync();
        var r = await Kfarm("jobs", "show", id);
        AssertExit(0, r);
        Assert.Contains("status:", r.Stdout);
        Assert.Contains("completed", r.Stdout);
        Assert.Contains(Env.RepoUrl, r.Stdout);
        Assert.Contains("bzImage", r.Stdout);

        var json = await Kfarm("jobs", "show", id, "--json");
        AssertExit(0, json);
        Assert.True(JsonNode.DeepEquals(await Farm.GetJobAsync(id), JsonNode.Parse(json.Stdout)));
    }

    [Fact]
    public async Task An_unknown_job_exits_3()
    {
        var id = Guid.NewGuid().ToString();
        var r = await Kfarm("jobs", "show", id);
        AssertExit(3, r);
        Assert.Equal($"kfarm: build job not found: no build job with id {id}", r.Stderr.Trim());
        AssertExit(3, await Kfarm("jobs", "logs", id));
        AssertExit(3, await Kfarm("jobs", "artifacts", "list", id));
    }

    [Fact]
    public async Task Jobs_list_json_with_a_status_filter_returns_only_such_jobs()
    {
        var completed = await fixture.CompletedJobAsync();
        var failed = await Farm.SubmitAsync(Env.Job(config: "nosuchconfig"));
        await Farm.WaitForEndAsync(failed, JobTimeout);

        // the list is the read side, fed from the journal: it may lag the job by a moment
        var page = await Eventually.ValueAsync(async () =>
        {
            var r = await Kfarm("jobs", "list", "--status", "failed", "--json", "--limit", "50");
            AssertExit(0, r);
            return JsonNode.Parse(r.Stdout)!;
        }, p => p["jobs"]!.AsArray().Any(j => j!["id"]!.GetValue<string>() == failed), TimeSpan.FromSeconds(15), $"the failed job {failed} in the list");
        var jobs = page["jobs"]!.AsArray();
        Assert.NotEmpty(jobs);
        Assert.All(jobs, j => Assert.Equal("failed", j!["status"]!.GetValue<string>()));
        Assert.Contains(jobs, j => j!["id"]!.GetValue<string>() == failed);
        Assert.DoesNotContain(jobs, j => j!["id"]!.GetValue<string>() == completed);
        Assert.True(page["total"]!.GetValue<int>() >= 1);

        var table = await Kfarm("jobs", "list", "--server", "x86", "--arch", "x86_64", "--since", "1h");
        AssertExit(0, table);
        Assert.Contains(completed, table.Stdout);
        Assert.StartsWith("ID ", table.Stdout);
    }

    [Fact]
    public async Task Artifacts_list_shows_the_manifest()
    {
        var id = await fixture.CompletedJobAsync();
        var r = await Kfarm("jobs", "artifacts", "list", id);
        AssertExit(0, r);
        var job = await Farm.GetJobAsync(id);
        foreach (var a in job["artifacts"]!.AsArray())
            Assert.Contains(a!["sha256"]!.GetValue<string>(), r.Stdout);
    }

    [Fact]
    public async Task Artifacts_get_downloads_every_file_at_its_relative_path_verified_by_sha256()
    {
        var id = await fixture.CompletedJobAsync();
        var dir = Path.Combine(fixture.Work.Path, "all-" + id);
        var r = await Kfarm("jobs", "artifacts", "get", id, "-o", dir);
        AssertExit(0, r);
        var job = await Farm.GetJobAsync(id);
        var listed = job["artifacts"]!.AsArray();
        Assert.NotEmpty(listed);
        foreach (var a in listed)
        {
            var path = a!["path"]!.GetValue<string>();
            Assert.Equal(a["sha256"]!.GetValue<string>(), Artifacts.Sha256(Path.Combine(dir, path)));
            Assert.Contains($"{path}  ", r.Stdout);
        }
        Assert.Equal(listed.Count, Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length); // no partial files
    }

    [Fact]
    public async Task Artifacts_get_of_named_paths_fetches_only_those_and_refuses_unsafe_or_unknown_ones()
    {
        var id = await fixture.CompletedJobAsync();
        var dir = Path.Combine(fixture.Work.Path, "some-" + id);
        var r = await Kfarm("jobs", "artifacts", "get", id, "bzImage", "System.map", "-o", dir, "--json");
        AssertExit(0, r);
        Assert.Equal(["System.map", "bzImage"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, JsonNode.Parse(r.Stdout)!["artifacts"]!.AsArray().Count);

        var escape = await Kfarm("jobs", "artifacts", "get", id, "../escape", "-o", dir);
        AssertExit(2, escape);
        Assert.Contains("'..' in path", escape.Stderr);
        AssertExit(2, await Kfarm("jobs", "artifacts", "get", id, "/etc/passwd", "-o", dir));
        AssertExit(3, await Kfarm("jobs", "artifacts", "get", id, "no-such-file", "-o", dir));
    }

    [Fact]
    public async Task A_download_whose_sha256_does_not_match_the_manifest_fails_with_exit_1_and_is_removed()
    {
        var id = await Farm.SubmitAsync(Env.Job());
        var job = await Farm.WaitForEndAsync(id, JobTimeout);
        Assert.Equal("completed", FarmProcess.Status(job));
        var stored = Path.Combine(job["artifact_directory"]!.GetValue<string>(), "bzImage");
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[0] ^= 0xff; // same size, other content: storage corrupted after publication
        await File.WriteAllBytesAsync(stored, bytes);

        var dir = Path.Combine(fixture.Work.Path, "tampered-" + id);
        var r = await Kfarm("jobs", "artifacts", "get", id, "bzImage", "vmlinux", "-o", dir);
        AssertExit(1, r);
        Assert.Contains("bzImage: sha256 mismatch", r.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "bzImage")), "a file that failed verification was left");
        Assert.True(File.Exists(Path.Combine(dir, "vmlinux")), "the good file was not downloaded");
        Assert.Single(Directory.GetFiles(dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_cancelling_again_is_a_conflict()
    {
        var submit = await Kfarm("jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--config", "tinyconfig",
            "--env", "FAKE_BUILD_SECONDS=120", "--json");
        AssertExit(0, submit);
        var id = JsonNode.Parse(submit.Stdout)!["id"]!.GetValue<string>();
        await Farm.WaitForAsync(id, j => FarmProcess.Status(j) == "building", JobTimeout);

        var r = await Kfarm("jobs", "cancel", id);
        AssertExit(0, r);
        Assert.Contains($"job {id} cancel requested", r.Stdout);
        Assert.Equal("cancelled", FarmProcess.Status(await Farm.WaitForEndAsync(id, JobTimeout)));

        var again = await Kfarm("jobs", "cancel", id);
        AssertExit(5, again);
        Assert.Contains("already ended as cancelled", again.Stderr);
    }

    [Fact]
    public async Task Retry_submits_an_ended_job_again_as_a_new_job()
    {
        var failed = await Farm.SubmitAsync(Env.Job(config: "nosuchconfig"));
        await Farm.WaitForEndAsync(failed, JobTimeout);
        var r = await Kfarm("jobs", "retry", failed, "--json");
        AssertExit(0, r);
        var retried = JsonNode.Parse(r.Stdout)!;
        var id = retried["id"]!.GetValue<string>();
        Assert.NotEqual(failed, id);
        Assert.Equal("nosuchconfig", retried["build_config"]!["kernel_config"]!.GetValue<string>());
        await Farm.WaitForEndAsync(id, JobTimeout);
    }

    // ---- cluster palette -------------------------------------------------------------------

    [Fact]
    public async Task Cluster_show_lists_this_node_as_an_up_member_running_the_singletons()
    {
        var json = await Kfarm("cluster", "show", "--json");
        AssertExit(0, json);
        var cluster = JsonNode.Parse(json.Stdout)!;
        var self = cluster["self"]!.GetValue<string>();
        Assert.StartsWith("akka.ssl.tcp://kernelfarm@", self); // remoting is always TLS (docs/cluster-tls.md)
        Assert.Equal(self, cluster["singletons"]!["build-queue"]!.GetValue<string>());

        var r = await Kfarm("cluster", "show");
        AssertExit(0, r);
        Assert.Contains(self, r.Stdout);
        Assert.Contains("gateway,worker", r.Stdout);
        Assert.Contains("build-queue", r.Stdout);
    }

    [Fact]
    public async Task Cluster_sharding_and_actors_answer()
    {
        var sharding = await Kfarm("cluster", "sharding");
        AssertExit(0, sharding);
        Assert.Contains("total entities:", sharding.Stdout);

        var actors = await Kfarm("actors", "--depth", "2");
        AssertExit(0, actors);
        Assert.Contains("user", actors.Stdout);
        Assert.Contains("└── ", actors.Stdout);
    }

    [Fact]
    public async Task Cluster_membership_commands_report_the_farms_refusals()
    {
        var notMember = await Kfarm("cluster", "leave", "akka.tcp://kernelfarm@127.0.0.1:1");
        AssertExit(3, notMember);
        Assert.Contains("cluster member not found", notMember.Stderr);

        var bad = await Kfarm("cluster", "down", "not-an-address");
        AssertExit(2, bad);
        Assert.Contains("(field: address)", bad.Stderr);
    }

    [Fact]
    public async Task Cluster_tail_prints_membership_events_until_interrupted()
    {
        var self = JsonNode.Parse((await Kfarm("cluster", "show", "--json")).Stdout)!["self"]!.GetValue<string>();
        var (exit, stdout, _) = await KfarmUntilInterrupted(["cluster", "tail"], waitFor: self, TimeSpan.FromSeconds(30));
        Assert.Equal(0, exit);
        Assert.Contains($"member-up  {self}  up  [gateway,worker]", stdout);
    }

    // ---- on a terminal (a pseudo-terminal from util-linux `script`) ---------------------------

    [Fact]
    public async Task On_a_terminal_servers_add_asks_before_pinning_the_scanned_key()
    {
        string[] args =
        [
            "servers", "add", "--id", "cli-asked", "--ip", Env.Arm.IpAddress, "--port", Env.Arm.Port.ToString(),
            "--user", Env.Arm.Username, "--key-path", Env.Arm.PrivateKeyPath, "--arch", "arm64",
            "--toolchain", "gcc-12:arm64:aarch64-linux-gnu-", "--workspace-root", Env.Arm.WorkDirectory,
        ];
        try
        {
            var no = await KfarmOnTerminal(args, answer: "n\n");
            AssertExit(1, no);
            Assert.Contains($"is {Env.Arm.HostKeyFingerprintSha256}", no.Stdout);
            Assert.Contains("Pin this key and register cli-asked? [y/N]", no.Stdout);
            Assert.Contains("kfarm: not registered: the host key was not confirmed", no.Stdout);
            AssertExit(3, await Kfarm("servers", "show", "cli-asked"));

            var yes = await KfarmOnTerminal(args, answer: "y\n");
            AssertExit(0, yes);
            Assert.Contains("registered build server cli-asked", yes.Stdout);
            var server = await Farm.Http.GetFromJsonNode("api/v1/infrastructure/build-servers/cli-asked");
            Assert.Equal(Env.Arm.HostKeyFingerprintSha256, server["ssh_host_key_fingerprint"]!.GetValue<string>());
        }
        finally
        {
            await Farm.Http.DeleteAsync("api/v1/infrastructure/build-servers/cli-asked");
        }
    }

    [Fact]
    public async Task On_a_terminal_wait_redraws_one_status_line_and_ends_with_the_summary()
    {
        var r = await KfarmOnTerminal(["jobs", "submit", "--repo", Env.RepoUrl, "--arch", "x86_64", "--config", "tinyconfig",
            "--env", "FAKE_BUILD_SECONDS=3", "--wait"], answer: null, JobTimeout);
        AssertExit(0, r);
        Assert.Contains("\r\u001b[2Kjob ", r.Stdout);
        Assert.Matches("building  [0-9]+s", r.Stdout);
        Assert.Matches("job [0-9a-f-]{36} completed in .* on x86", r.Stdout);
    }

    [Fact]
    public async Task On_a_terminal_artifacts_get_shows_progress_and_still_verifies()
    {
        var id = await fixture.CompletedJobAsync();
        var dir = Path.Combine(fixture.Work.Path, "tty-" + id);
        var r = await KfarmOnTerminal(["jobs", "artifacts", "get", id, "vmlinux", "-o", dir], answer: null);
        AssertExit(0, r);
        Assert.Contains("[1/1] vmlinux", r.Stdout);
        Assert.Contains("vmlinux", r.Stdout);
        Assert.Contains("sha256 ok", r.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "vmlinux")));
    }

    // ---- configuration, auth, reachability, usage ------------------------------------------

    [Fact]
    public async Task Without_a_token_the_farm_refuses_with_exit_4_and_a_hint()
    {
        var r = await Kfarm(["servers", "list"], token: null);
        AssertExit(4, r);
        Assert.Contains("Unauthorized", r.Stderr);
        Assert.Contains("KFARM_TOKEN", r.Stderr);
    }

    [Fact]
    public async Task A_viewer_token_may_list_but_not_drain_exit_4()
    {
        AssertExit(0, await Kfarm(["servers", "list"], token: TestTokens.Viewer));
        var r = await Kfarm(["servers", "drain", "arm"], token: TestTokens.Viewer);
        AssertExit(4, r);
        Assert.Contains("Forbidden", r.Stderr);
        Assert.False((await Farm.Http.GetFromJsonNode("api/v1/infrastructure/build-servers/arm"))["draining"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_config_file_supplies_endpoint_and_token_and_flags_override_the_environment()
    {
        var config = Path.Combine(fixture.Work.Path, "config.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["endpoint"] = Endpoint, ["token"] = TestTokens.Operator }.ToJsonString());
        var fromFile = await Kfarm(["servers", "list"], token: null, endpoint: null, extraEnv: new() { ["KFARM_CONFIG"] = config });
        AssertExit(0, fromFile);
        Assert.Contains("x86", fromFile.Stdout);

        var flagWins = await Kfarm(["servers", "list", "--endpoint", Endpoint, "--token", TestTokens.Operator],
            token: "wrong-token", endpoint: "http://127.0.0.1:9");
        AssertExit(0, flagWins);
    }

    [Fact]
    public async Task An_unreachable_farm_exits_6()
    {
        var r = await Kfarm(["servers", "list"], endpoint: $"http://127.0.0.1:{FreePort.Get("127.0.0.1")}");
        AssertExit(6, r);
        Assert.StartsWith("kfarm: cannot reach the farm at http://127.0.0.1:", r.Stderr);
    }

    [Fact]
    public async Task The_token_is_never_printed()
    {
        const string secret = "not-a-valid-token-0123456789";
        var results = new[]
        {
            await Kfarm(["servers", "list"], token: secret),
            await Kfarm(["servers", "list", "--token", secret]),
            await Kfarm(["--token", secret, "servers", "list"], endpoint: "http://127.0.0.1:9"),
        };
        Assert.All(results, r => Assert.DoesNotContain(secret, r.Stdout + r.Stderr));
        Assert.Equal(4, results[0].ExitCode);
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("jobs")]
    [InlineData("jobs", "list", "--limit", "ten")]
    [InlineData("jobs", "list", "--status", "sleeping")]
    [InlineData("jobs", "show")]
    [InlineData("jobs", "submit", "--repo", "git://x/y", "--arch", "x86_64", "--env", "NOEQUALS")]
    [InlineData("servers", "add", "--id", "x", "--ip", "127.0.0.1", "--user", "u", "--toolchain", "gcc-12")]
    [InlineData("actors", "--depth", "0")]
    public async Task Bad_flags_and_arguments_exit_2_with_a_message(params string[] args)
    {
        var r = await Kfarm(args);
        AssertExit(2, r);
        Assert.StartsWith("kfarm: ", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    // ---- running the tool ------------------------------------------------------------------

    /// <summary>The built tool: tests/Farm.IntegrationTests/bin/&lt;Config&gt;/net10.0 → src/Farm.Cli/bin/&lt;Config&gt;/net10.0/kfarm.dll.</summary>
    internal static string KfarmDll
    {
        get
        {
            var testBin = AppContext.BaseDirectory.TrimEnd('/');
            var config = Path.GetFileName(Path.GetDirectoryName(testBin)!);
            var repo = Path.GetFullPath(Path.Combine(testBin, "../../../../.."));
            var dll = Path.Combine(repo, "src/Farm.Cli/bin", config, "net10.0/kfarm.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/Farm.Cli first", dll);
        }
    }

    private const string Default = "\0default";

    private Task<ProcResult> Kfarm(params string[] args) => Kfarm(args, TimeSpan.FromSeconds(60));

    private Task<ProcResult> Kfarm(string[] args, TimeSpan timeout) => Kfarm(args, timeout: timeout, token: Default);

    /// <summary>
    /// Runs `dotnet kfarm.dll args` with KFARM_ENDPOINT and KFARM_TOKEN (the operator's unless
    /// given; null unsets), HOME in the test's folder and no KFARM_CONFIG unless given.
    /// </summary>
    private async Task<ProcResult> Kfarm(string[] args, string? token = Default, string? endpoint = Default,
        Dictionary<string, string?>? extraEnv = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            return await Proc.RunAsync("dotnet", [KfarmDll, .. args], cts.Token, environment: Environment(token, endpoint, extraEnv));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kfarm {string.Join(' ', args)} did not end within {timeout}\n{Farm.Tail()}");
        }
    }

    private Dictionary<string, string?> Environment(string? token, string? endpoint, Dictionary<string, string?>? extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["KFARM_ENDPOINT"] = endpoint == Default ? Endpoint : endpoint,
            ["KFARM_TOKEN"] = token == Default ? TestTokens.Operator : token,
            ["KFARM_CONFIG"] = null,
            ["HOME"] = fixture.Work.Path,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (var (k, v) in extra ?? []) env[k] = v;
        return env;
    }

    /// <summary>
    /// Runs kfarm on a pseudo-terminal (util-linux `script`): stdin and stdout are a terminal, as
    /// for a person; <paramref name="answer"/> is typed in. stdout and stderr both arrive in Stdout.
    /// </summary>
    private async Task<ProcResult> KfarmOnTerminal(string[] args, string? answer, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var command = Proc.Describe("dotnet", [KfarmDll, .. args]);
        return await Proc.RunAsync("script", ["-qec", command, "/dev/null"], cts.Token, stdin: answer ?? "",
            environment: Environment(Default, Default, new() { ["TERM"] = "xterm" }));
    }

    /// <summary>
    /// Starts kfarm as a terminal's foreground command would run, waits until its stdout contains
    /// <paramref name="waitFor"/>, then sends SIGINT (Ctrl-C). A test run started in the background
    /// by a non-interactive shell (CI) inherits SIGINT ignored, and so would kfarm: .NET keeps an
    /// inherited SIG_IGN, so no Ctrl-C handler runs. `env --default-signal=INT` gives kfarm the
    /// disposition a terminal gives it.
    /// </summary>
    private async Task<(int Exit, string Stdout, string Stderr)> KfarmUntilInterrupted(string[] args, string waitFor, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("env")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(KfarmDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in Environment(Default, Default, null))
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var seen = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data.Contains(waitFor)) seen.TrySetResult();
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await seen.Task.WaitAsync(timeout);
            Assert.False(SignalIgnored(process.Id, 2), "kfarm started with SIGINT ignored: a Ctrl-C could not reach it");
            await Proc.RunAsync("kill", ["-INT", process.Id.ToString()], throwOnError: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited) Proc.KillTree(process);
        }
        var errors = await stderr;
        lock (stdout) return (process.ExitCode, stdout.ToString(), errors);
    }

    /// <summary>Whether the process ignores <paramref name="signal"/> (the SigIgn mask of /proc/PID/status).</summary>
    private static bool SignalIgnored(int pid, int signal)
    {
        var mask = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(mask, 16) & (1UL << (signal - 1))) != 0;
    }

    private async Task<int> JobTotal() =>
        (await Farm.Http.GetFromJsonNode("api/v1/infrastructure/build-jobs?limit=1"))["total"]!.GetValue<int>();

    private static void AssertExit(int expected, ProcResult r) =>
        Assert.True(r.ExitCode == expected, $"exit {r.ExitCode}, expected {expected}\n--- stdout ---\n{r.Stdout}\n--- stderr ---\n{r.Stderr}");
}

internal static class HttpJsonExtensions
{
    public static async Task<JsonNode> GetFromJsonNode(this HttpClient http, string path) =>
        JsonNode.Parse(await http.GetStringAsync(path))!;
}
