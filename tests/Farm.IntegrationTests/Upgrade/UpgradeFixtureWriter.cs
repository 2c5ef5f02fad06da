using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using Xunit;

namespace KernelFarm.IntegrationTests.Upgrade;

/// <summary>Runs only when scripts/make-upgrade-fixture.sh asks for it (it names an earlier release's host).</summary>
public sealed class UpgradeFixtureWriterFactAttribute : FactAttribute
{
    public UpgradeFixtureWriterFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(UpgradeFixtureWriter.HostVariable)))
            Skip = $"writes an upgrade fixture; run scripts/make-upgrade-fixture.sh (sets {UpgradeFixtureWriter.HostVariable})";
    }
}

/// <summary>
/// Records tests/fixtures/upgrade/&lt;release&gt;/ with an earlier release's host: two servers, jobs
/// that end completed (x86 and arm64), failed (a build error) and cancelled, one left queued behind
/// the drained arm server; then a graceful stop. expected.json is what that release's API answered
/// just before the stop: UpgradeTests compares the new farm's answers with it.
/// </summary>
public sealed class UpgradeFixtureWriter
{
    public const string HostVariable = "KFARM_UPGRADE_HOST_DLL";
    public const string ReleaseVariable = "KFARM_UPGRADE_RELEASE";
    public const string OutputVariable = "KFARM_UPGRADE_OUT";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [UpgradeFixtureWriterFact]
    public async Task Write_the_fixture_with_the_release_host()
    {
        var hostDll = Environment.GetEnvironmentVariable(HostVariable)!;
        var release = Environment.GetEnvironmentVariable(ReleaseVariable) ?? throw new InvalidOperationException($"set {ReleaseVariable}");
        var output = Environment.GetEnvironmentVariable(OutputVariable) ?? throw new InvalidOperationException($"set {OutputVariable}");

        UpgradeRig.Clear(release);
        await using var rig = await UpgradeRig.StartAsync(release);
        await using var farm = await FarmProcess.StartAsync(rig.NodeDirectory, hostDll: hostDll);
        await rig.RegisterServersAsync(farm);

        var jobs = new Dictionary<string, string>
        {
            ["completed_x86"] = await farm.SubmitAsync(Job(rig, "x86_64", "tinyconfig")),
            ["completed_arm64"] = await farm.SubmitAsync(Job(rig, "arm64", "defconfig")),
            ["failed_build"] = await farm.SubmitAsync(Job(rig, "x86_64", "tinyconfig", fragments: ["CONFIG_FAKE_BROKEN=y"])),
        };
        foreach (var id in jobs.Values) await farm.WaitForEndAsync(id, JobTimeout);

        jobs["cancelled"] = await farm.SubmitAsync(Job(rig, "x86_64", "tinyconfig", buildSeconds: 120));
        await farm.WaitForAsync(jobs["cancelled"], j => FarmProcess.Status(j) == "building", JobTimeout);
        using (var cancel = await farm.Http.PostAsync($"api/v1/infrastructure/build-jobs/{jobs["cancelled"]}/cancel", null))
            Assert.True(cancel.IsSuccessStatusCode, $"cancel: {(int)cancel.StatusCode}");
        await farm.WaitForEndAsync(jobs["cancelled"], JobTimeout);

        // the only arm64 server drains, so the next arm64 job waits in the queue through the stop
        await farm.WaitForIdleServerAsync("arm", JobTimeout);
        using (var drain = await farm.Http.PostAsync("api/v1/infrastructure/build-servers/arm/drain", null))
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        jobs["queued"] = await farm.SubmitAsync(Job(rig, "arm64", "defconfig"));
        Assert.Equal("queued", FarmProcess.Status(await farm.GetJobAsync(jobs["queued"])));

        var expected = new JsonObject
        {
            ["release"] = release,
            ["node_directory"] = rig.NodeDirectory,
            ["repository"] = rig.RepoUrl,
            ["jobs"] = new JsonObject(await Task.WhenAll(jobs.Select(async kv =>
                KeyValuePair.Create(kv.Key, (JsonNode?)await farm.GetJobAsync(kv.Value))))),
            ["servers"] = JsonNode.Parse(await farm.Http.GetStringAsync("api/v1/infrastructure/build-servers")),
        };
        await farm.StopAsync(TimeSpan.FromSeconds(60));

        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        CopyTree(Path.Combine(rig.NodeDirectory, "data"), Path.Combine(output, "data"));
        CopyTree(Path.Combine(rig.NodeDirectory, "artifacts"), Path.Combine(output, "artifacts"));
        CopyTree(rig.KeysDirectory, Path.Combine(output, "keys"));
        await File.WriteAllTextAsync(Path.Combine(output, "expected.json"),
            expected.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static JsonObject Job(UpgradeRig rig, string arch, string config, int buildSeconds = 0, string[]? fragments = null) => new()
    {
        ["source_repository"] = rig.RepoUrl,
        ["branch"] = "master",
        ["commit_hash"] = "HEAD",
        ["target_architecture"] = arch,
        ["build_config"] = new JsonObject
        {
            ["kernel_config"] = config,
            ["custom_env"] = buildSeconds > 0 ? new JsonObject { ["FAKE_BUILD_SECONDS"] = buildSeconds.ToString() } : new JsonObject(),
            ["kconfig_fragments"] = new JsonArray((fragments ?? []).Select(f => (JsonNode)f).ToArray()),
        },
    };

    /// <summary>Copies a folder tree (files and folders only: the fixture holds no links).</summary>
    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }
}
