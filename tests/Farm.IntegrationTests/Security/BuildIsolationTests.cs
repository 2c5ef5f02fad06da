using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests.Security;

/// <summary>
/// A hostile build and its victim at the same time on one server (two slots, one SSH account), as
/// issue 13 measured them: the attacker's Makefile goes after the victim's workspace and secrets,
/// the farm's records, the git mirror, the build account's home, the network and the farm's
/// markers, and leaves a daemon behind. Every attempt must be blocked, and the victim's artifacts
/// must be byte-identical to the same build run alone.
/// </summary>
[Trait("Tier", "Full")] // out of --quick: its own farm and seconds of waiting; CI runs it
public sealed class BuildIsolationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_hostile_build_beside_its_victim_reaches_nothing_and_the_victim_builds_what_it_builds_alone()
    {
        await using var env = await FarmWithServers.StartAsync(x86Slots: 2);
        using var evil = HostileBuild.Create(Path.Combine(env.Root.Path, "repos"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var secret = "victim-secret-" + Guid.NewGuid().ToString("N");
        JsonObject Victim()
        {
            var job = env.Job(buildSeconds: 6, env: new JsonObject { ["VICTIM_TOKEN"] = secret });
            job["build_config"]!["secret_env"] = new JsonArray("VICTIM_TOKEN");
            return job;
        }

        var solo = await env.Farm.WaitForEndAsync(await env.Farm.SubmitAsync(Victim()), Timeout);
        Assert.Equal("completed", FarmProcess.Status(solo));
        var homeBefore = await HomeFilesAsync(env);
        var mirrorsBefore = await MirrorOriginsAsync(env);

        var victimId = await env.Farm.SubmitAsync(Victim());
        await env.Farm.WaitForAsync(victimId, j => FarmProcess.Status(j) == "building", Timeout);
        var attack = env.Job(env: new JsonObject
        {
            ["ATTACK_WORKSPACE_ROOT"] = env.X86.WorkDirectory,
            ["ATTACK_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ATTACK_VICTIM_SECRET"] = secret,
        });
        attack["source_repository"] = env.Git.Url(HostileBuild.RepoPath);
        var attackerId = await env.Farm.SubmitAsync(attack);
        var attacker = await env.Farm.WaitForEndAsync(attackerId, Timeout);
        var victim = await env.Farm.WaitForEndAsync(victimId, Timeout);

        // the attack ran, and none of its attempts got through
        var log = await env.Farm.GetLogAsync(attackerId);
        Assert.Contains(HostileBuild.Ran, log);
        Assert.True(!log.Contains(HostileBuild.Succeeded, StringComparison.Ordinal),
            "attacks that got through:\n" + string.Join('\n', log.Split('\n').Where(l => l.Contains(HostileBuild.Succeeded, StringComparison.Ordinal))));
        foreach (var attempt in new[] { "forge-own-exit", "forge-own-pid", "read-own-script", "mirror-config", "bashrc", "authorized_keys", "network" })
            Assert.Contains($"{HostileBuild.Blocked} {attempt}", log);
        Assert.DoesNotContain(secret, log);
        Assert.False(listener.Pending(), "the build reached a port on the farm's machine");

        // the farm's records are the farm's: the forged fact and step marker changed nothing
        Assert.Equal("completed", FarmProcess.Status(attacker));
        Assert.Contains("==> kfarm(build): fact git_commit=" + HostileBuild.ForgedCommit, log);
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(attacker["artifact_directory"]!.GetValue<string>(), "metadata.json")))!;
        Assert.DoesNotContain(HostileBuild.ForgedCommit, metadata.ToJsonString());
        Assert.Contains(evil.HeadCommit, metadata.ToJsonString());
        var reproducer = await File.ReadAllTextAsync(Path.Combine(attacker["artifact_directory"]!.GetValue<string>(), "reproducer.sh"));
        Assert.Contains(evil.HeadCommit, reproducer);
        Assert.DoesNotContain(HostileBuild.ForgedCommit, reproducer);

        // the victim: completed, its artifacts byte-identical to the solo build's
        Assert.Equal("completed", FarmProcess.Status(victim));
        Artifacts.AssertStorageMatchesRecord(victim);
        Assert.Equal(Hashes(solo), Hashes(victim));

        // the account, the mirrors and the processes are as before
        Assert.Equal(homeBefore, await HomeFilesAsync(env));
        var mirrorsAfter = await MirrorOriginsAsync(env);
        Assert.All(mirrorsBefore.Split('\n', StringSplitOptions.RemoveEmptyEntries), m => Assert.Contains(m, mirrorsAfter));
        Assert.DoesNotContain("/attacker.git", mirrorsAfter);
        var left = await Proc.RunAsync("pgrep", ["-af", HostileBuild.Daemon(port)], throwOnError: false);
        Assert.True(left.Stdout.Trim().Length == 0, "the attack's daemon outlived its job: " + left.Stdout);
    }

    private static Dictionary<string, string> Hashes(JsonObject job) =>
        job["artifacts"]!.AsArray().Select(a => a!.AsObject())
            .Where(a => a["path"]!.GetValue<string>() is not "build.log" and not "reproducer.sh")
            .ToDictionary(a => a["path"]!.GetValue<string>(), a => a["sha256"]!.GetValue<string>());

    /// <summary>sha256 of the build account's start-up files and authorized keys (what the attack appends to).</summary>
    private static async Task<string> HomeFilesAsync(FarmWithServers env) =>
        (await env.X86.RunAsBuildUserAsync("cd ~ && sha256sum .bashrc .profile .ssh/authorized_keys 2>&1; true")).Stdout;

    /// <summary>Every git mirror's origin on the x86 server.</summary>
    private static async Task<string> MirrorOriginsAsync(FarmWithServers env) =>
        (await env.X86.RunAsBuildUserAsync(
            $"for m in {env.X86.WorkDirectory}/.kfarm-cache/git/*.git; do printf '%s %s\\n' \"$m\" \"$(git --git-dir=\"$m\" config remote.origin.url)\"; done; true")).Stdout;
}
