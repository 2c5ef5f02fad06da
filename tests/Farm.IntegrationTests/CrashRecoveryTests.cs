using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>The farm host is SIGKILLed mid-build; the restarted node finishes every job exactly once.</summary>
[Trait("Tier", "Full")] // fault injection: the farm host SIGKILLed
public sealed partial class CrashRecoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task After_a_SIGKILL_of_the_host_every_accepted_job_completes_exactly_once()
    {
        await using var env = await FarmWithServers.StartAsync(x86Slots: 1);
        var farm = env.Farm;
        const int seconds = 6;
        var running = await farm.SubmitAsync(env.Job(buildSeconds: seconds));
        var queued = new[] { await farm.SubmitAsync(env.Job(buildSeconds: 2)), await farm.SubmitAsync(env.Job(buildSeconds: 2)) };
        await farm.WaitForAsync(running, j => FarmProcess.Status(j) == "building"
            && File.Exists(Path.Combine(farm.StoragePath, ".logs", running + ".log"))
            && File.ReadAllText(Path.Combine(farm.StoragePath, ".logs", running + ".log")).Contains("init/file2.o"), Timeout);

        farm.Kill();
        var buildPid = File.ReadAllText(Path.Combine(env.X86.WorkDirectory, "job-" + running, "pid")).Trim();
        Assert.Contains(buildPid, env.X86.RunAsBuildUser($"pgrep -g {buildPid} || true")); // the build outlived its supervisor
        await farm.RestartAsync();

        foreach (var id in queued.Prepend(running))
        {
            var job = await farm.WaitForEndAsync(id, Timeout);
            Assert.Equal("completed", FarmProcess.Status(job));
            Artifacts.AssertStorageMatchesRecord(job);
            var log = await farm.GetLogAsync(id);
            Assert.Single(StepLines().Matches(log), m => m.Groups[1].Value == "building");
            Assert.Single(Regex.Matches(log, "^commit: ", RegexOptions.Multiline));
        }
        // The build that ran through the crash: every line once, none missing, in order.
        var lines = CcLines().Matches(await farm.GetLogAsync(running)).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(Enumerable.Range(1, seconds).ToList(), lines);
        Assert.Equal(3, Directory.GetDirectories(farm.StoragePath).Count(d => !Path.GetFileName(d).StartsWith('.')));
    }

    [GeneratedRegex(@"^==> kfarm: step (\w+)$", RegexOptions.Multiline)] private static partial Regex StepLines();
    [GeneratedRegex(@"^  CC      init/file(\d+)\.o$", RegexOptions.Multiline)] private static partial Regex CcLines();
}
