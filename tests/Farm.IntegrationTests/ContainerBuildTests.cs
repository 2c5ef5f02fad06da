using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// Container builds over a real sshd build server whose user runs rootless podman (README
/// "Container builds"): the fake kbuild tree built in localhost/kernelfarm-builder:bookworm.
/// </summary>
[Trait("Tier", "Full")] // rootless podman: minutes of container start-ups
public sealed class ContainerBuildTests(ContainerFarm env, ITestOutputHelper output) : IClassFixture<ContainerFarm>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private FarmProcess Farm => env.Farm;

    private string Workspace(string id) => Path.Combine(env.Server.WorkDirectory, "job-" + id);

    /// <summary>Cleanup runs just after the job's end is recorded (and, for a container, after its removal).</summary>
    private async Task AssertWorkspaceGoneAsync(string id)
    {
        Assert.True(await Eventually.GoneAsync(Workspace(id)), "workspace left behind");
    }

    private static TimeSpan Took(JsonObject job) =>
        DateTimeOffset.Parse(job["updated_at"]!.GetValue<string>()) - DateTimeOffset.Parse(job["created_at"]!.GetValue<string>());

    [Fact]
    public async Task A_job_in_the_container_completes_with_the_artifacts_of_a_host_build_and_the_container_is_removed()
    {
        var hostId = await env.SubmitAsync(env.Job(image: null));
        var host = await Farm.WaitForEndAsync(hostId, Timeout);
        var id = await env.SubmitAsync(env.Job(extraConfig: new JsonObject { ["container_cpus"] = 1.5, ["container_memory_mb"] = 1024 }));
        var job = await Farm.WaitForEndAsync(id, Timeout);

        Assert.True(FarmProcess.Status(job) == "completed", $"{job.ToJsonString()}\n{await Farm.GetLogAsync(id)}");
        Assert.Equal("completed", FarmProcess.Status(host));
        Assert.Equal(Artifacts.Paths(host).Order(), Artifacts.Paths(job).Order());
        Artifacts.AssertStorageMatchesRecord(job);
        var dir = job["artifact_directory"]!.GetValue<string>();
        var hostDir = host["artifact_directory"]!.GetValue<string>();
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(hostDir, "System.map")), await File.ReadAllTextAsync(Path.Combine(dir, "System.map")));
        var steps = job["transitions"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["queued", "assigned", "preparing", "configuring", "building", "collecting", "transferring", "completed"], steps);

        var log = await Farm.GetLogAsync(id);
        Assert.Contains($"kfarm: container: podman run --rm --name kfarm-{id} --pull=never --network=none --cap-drop=all", log);
        Assert.Contains("--userns=keep-id --cpus 1.5 --memory 1024m", log);
        Assert.DoesNotContain($"--volume {Workspace(id)}:", log); // the farm's records are not mounted
        Assert.DoesNotContain("kfarm: container:", await Farm.GetLogAsync(hostId));
        await ContainerFarm.AssertContainerGoneAsync(id);
        await AssertWorkspaceGoneAsync(id); // so the files the container wrote belong to the build user
        ContainerFarm.Report(output, $"fake-tree job end to end: host {Took(host).TotalSeconds:0.0} s, in the container {Took(job).TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_hostile_build_in_a_container_beside_its_victim_reaches_nothing()
    {
        using var evil = Security.HostileBuild.Create(Path.Combine(env.Root.Path, "repos"));
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var secret = "victim-secret-" + Guid.NewGuid().ToString("N");
        var victimJob = env.Job(buildSeconds: 6);
        victimJob["build_config"]!["custom_env"]!["VICTIM_TOKEN"] = secret;
        victimJob["build_config"]!["secret_env"] = new JsonArray("VICTIM_TOKEN");
        var victimId = await env.SubmitAsync(victimJob);
        await Farm.WaitForAsync(victimId, j => FarmProcess.Status(j) == "building", Timeout);
        var attack = env.Job();
        attack["source_repository"] = env.Git.Url(Security.HostileBuild.RepoPath);
        attack["build_config"]!["custom_env"] = new JsonObject
        {
            ["ATTACK_WORKSPACE_ROOT"] = env.Server.WorkDirectory,
            ["ATTACK_PORT"] = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ATTACK_VICTIM_SECRET"] = secret,
        };
        var attackerId = await env.SubmitAsync(attack);
        var attacker = await Farm.WaitForEndAsync(attackerId, Timeout);
        var victim = await Farm.WaitForEndAsync(victimId, Timeout);

        var log = await Farm.GetLogAsync(attackerId);
        Assert.Contains(Security.HostileBuild.Ran, log);
        Assert.True(!log.Contains(Security.HostileBuild.Succeeded, StringComparison.Ordinal),
            "attacks that got through:\n" + string.Join('\n', log.Split('\n').Where(l => l.Contains(Security.HostileBuild.Succeeded, StringComparison.Ordinal))));
        foreach (var attempt in new[] { "forge-own-exit", "read-own-script", "mirror-config", "network" })
            Assert.Contains($"{Security.HostileBuild.Blocked} {attempt}", log);
        Assert.DoesNotContain(secret, log);
        Assert.False(listener.Pending(), "the build reached a port on the farm's machine");
        Assert.Equal("completed", FarmProcess.Status(attacker));
        var metadata = await File.ReadAllTextAsync(Path.Combine(attacker["artifact_directory"]!.GetValue<string>(), "metadata.json"));
        Assert.DoesNotContain(Security.HostileBuild.ForgedCommit, metadata);
        Assert.Contains(evil.HeadCommit, metadata);
        Assert.Equal("completed", FarmProcess.Status(victim));
        Artifacts.AssertStorageMatchesRecord(victim);
        await ContainerFarm.AssertContainerGoneAsync(attackerId);
        var left = await Proc.RunAsync("pgrep", ["-af", Security.HostileBuild.Daemon(((IPEndPoint)listener.LocalEndpoint).Port)], throwOnError: false);
        Assert.True(left.Stdout.Trim().Length == 0, "the attack's daemon outlived its job: " + left.Stdout);
    }

    [Fact]
    public async Task Files_the_container_writes_into_the_workspace_belong_to_the_build_user()
    {
        var id = await env.SubmitAsync(env.Job(extraConfig: new JsonObject { ["keep_workspace"] = true }));
        var job = await Farm.WaitForEndAsync(id, Timeout);

        Assert.Equal("completed", FarmProcess.Status(job));
        var foreign = await BuildUser.RunAsync($"find '{Workspace(id)}' ! -user {BuildUser.Name} -print -quit", throwOnError: false);
        Assert.Equal("", foreign.Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(Workspace(id), "build", "vmlinux")));
        await BuildUser.RunAsync($"rm -rf '{Workspace(id)}'");
    }

    [Fact]
    public async Task Cancelling_a_container_build_stops_and_removes_the_container()
    {
        var id = await env.SubmitAsync(env.Job(buildSeconds: 120));
        await Farm.WaitForAsync(id, j => FarmProcess.Status(j) == "building", Timeout);
        var pgid = int.Parse((await File.ReadAllTextAsync(Path.Combine(Workspace(id), "pid"))).Trim());
        Assert.Contains(pgid.ToString(), env.Server.RunAsBuildUser($"pgrep -g {pgid} || true"));
        // The pid file is written when the build script starts, a moment before podman has the container running.
        await Eventually.ValueAsync(() => ContainerFarm.ContainersOfAsync(id), c => c.StartsWith($"kfarm-{id} Up", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the job's container to be up");

        var clock = Stopwatch.StartNew();
        using var cancel = await Farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var job = await Farm.WaitForEndAsync(id, Timeout);
        ContainerFarm.Report(output, $"cancel to cancelled: {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal("cancelled", FarmProcess.Status(job));
        Assert.Equal("", env.Server.LiveProcessesInGroup(pgid));
        await ContainerFarm.AssertContainerGoneAsync(id);
        await AssertWorkspaceGoneAsync(id);
        Assert.Equal("", env.Server.RunAsBuildUser("pgrep -a -u kfbuild -f '[F]AKE_BUILD|[s]leep 1' || true").Trim());
    }

    [Fact]
    public async Task A_failing_build_in_the_container_is_a_build_failure_and_the_container_is_removed()
    {
        var id = await env.SubmitAsync(env.Job(config: "nosuchconfig"));
        var job = await Farm.WaitForEndAsync(id, Timeout);

        Assert.Equal("failed", FarmProcess.Status(job));
        Assert.Equal("build", job["failure"]!["kind"]!.GetValue<string>());
        Assert.Equal("configuring", job["failure"]!["step"]!.GetValue<string>());
        Assert.Contains("No rule to make target 'nosuchconfig'", await Farm.GetLogAsync(id));
        Assert.True(File.Exists(Path.Combine(Farm.StoragePath, id, "build.log")));
        await ContainerFarm.AssertContainerGoneAsync(id);
        await AssertWorkspaceGoneAsync(id);
    }

    [Fact]
    public async Task An_image_missing_on_the_server_is_an_infrastructure_failure_that_says_so()
    {
        var id = await env.SubmitAsync(env.Job(image: "localhost/kernelfarm-missing:1"));
        var job = await Farm.WaitForEndAsync(id, Timeout);

        Assert.Equal("failed", FarmProcess.Status(job));
        Assert.Equal("infrastructure", job["failure"]!["kind"]!.GetValue<string>());
        var log = await Farm.GetLogAsync(id);
        Assert.Contains("kfarm: the build sandbox does not start on this server", log);
        Assert.Contains("localhost/kernelfarm-missing:1", log);
        await ContainerFarm.AssertContainerGoneAsync(id);
    }

    [Fact]
    public async Task An_image_no_server_declares_is_refused_with_422_naming_container_image()
    {
        var (status, body) = await Farm.PostJobAsync(env.Job(image: "localhost/nowhere:1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("build_config.container_image", body.ToJsonString());
    }

    [Fact]
    public async Task An_unsafe_image_name_is_refused_with_400_and_runs_nothing()
    {
        var (status, body) = await Farm.PostJobAsync(env.Job(image: "x; touch /tmp/kfarm-pwned"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("build_config.container_image", body.ToJsonString());
        Assert.False(File.Exists("/tmp/kfarm-pwned"));
    }

    [Fact]
    public async Task The_server_shows_its_runtime_and_images_and_what_the_probe_found_of_them()
    {
        var server = JsonNode.Parse(await Farm.Http.GetStringAsync($"api/v1/infrastructure/build-servers/{ContainerFarm.ServerId}"))!;
        Assert.Equal("podman", server["container_runtime"]!.GetValue<string>());
        Assert.Equal(ContainerFarm.Image, server["container_images"]![0]!["name"]!.GetValue<string>());
        // Probed over SSH as kfbuild: its rootless store has the builder image, not the declared "missing" one.
        Assert.True(server["container_runtime_found"]!.GetValue<bool>(), server.ToJsonString());
        Assert.StartsWith("podman version ", server["container_runtime_version"]!.GetValue<string>());
        Assert.Equal(["localhost/kernelfarm-missing:1"], server["container_images_missing"]!.AsArray().Select(n => n!.GetValue<string>()));
    }
}
