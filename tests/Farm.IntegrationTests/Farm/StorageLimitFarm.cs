using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A farm with small storage caps (log 2 MiB, artifacts 1 MiB per job) and two real sshd build
/// servers ("x86-a" with two slots, "x86-b" with one), whose fake tree has one extra commit,
/// <see cref="HostileCommit"/>: its build misbehaves as custom_env HOSTILE_MODE says —
/// <list type="bullet">
/// <item><c>flood</c>: prints to the build log without end (about 2.5 MB/s, so a farm that does not
///   cut it fills the disk slowly, not at once);</item>
/// <item><c>zero</c>: makes build/zero.bin a symlink to /dev/zero (endless when read);</item>
/// <item><c>names</c>: writes build/build.log, to be collected over the farm's own build.log;</item>
/// <item><c>big</c>: writes a 3 MiB build/big.bin.</item>
/// </list>
/// Benign jobs use <see cref="FakeKernelTree.InitialCommit"/>.
/// </summary>
public sealed class StorageLimitFarm : IAsyncLifetime
{
    public const long MaxLogBytes = 2 * 1024 * 1024;
    public const long MaxArtifactBytes = 1024 * 1024;

    public FaultFarm Env { get; private set; } = null!;
    public string HostileCommit { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Env = await FaultFarm.StartAsync(
            [new("x86-a", "127.0.0.60", ["x86_64"], 2), new("x86-b", "127.0.0.61", ["x86_64"], 1)],
            new Dictionary<string, string>
            {
                ["Farm__MaxAttempts"] = "2", // a limit wrongly retried would show as a second attempt
                ["Farm__Limits__MaxLogBytes"] = MaxLogBytes.ToString(),
                ["Farm__Limits__MaxArtifactBytes"] = MaxArtifactBytes.ToString(),
            });
        const string anchor = "build)\n\trequire_config\n";
        var script = FakeKernelTree.FakeBuildScriptText;
        Assert.Contains(anchor, script);
        HostileCommit = Env.Tree.CommitFile("scripts/fakebuild.sh", script.Replace(anchor, anchor + HostileHook), "hostile builds for the storage limit tests");
    }

    private static readonly string HostileHook = string.Join('\n',
        "\tcase ${HOSTILE_MODE:-} in",
        "\tflood)",
        "\t\twhile :; do yes 'kfarm storage test: flooding the build log' | head -c 262144; sleep 0.1; done ;;",
        "\tzero) ln -sf /dev/zero zero.bin ;;",
        "\tnames) printf 'forged\\n' > build.log ;;",
        "\tbig) head -c 3145728 /dev/zero > big.bin ;;",
        "\tesac",
        "");

    /// <summary>A benign job (the tree's first commit).</summary>
    public JsonObject Job(int buildSeconds = 0, string? outputDirectory = null)
    {
        var job = Env.Job(buildSeconds: buildSeconds, outputDirectory: outputDirectory);
        job["commit_hash"] = Env.Tree.InitialCommit;
        return job;
    }

    /// <summary>A job built from <see cref="HostileCommit"/> in the given mode.</summary>
    public JsonObject Hostile(string mode, params string[] artifactPatterns)
    {
        var job = Env.Job();
        job["commit_hash"] = HostileCommit;
        var config = job["build_config"]!.AsObject();
        config["custom_env"]!.AsObject()["HOSTILE_MODE"] = mode;
        config["timeout_minutes"] = 3; // bounds a farm that does not stop it
        if (artifactPatterns.Length > 0) config["artifact_patterns"] = new JsonArray(artifactPatterns.Select(p => (JsonNode)p).ToArray());
        return job;
    }

    public async Task DisposeAsync() => await Env.DisposeAsync();
}
