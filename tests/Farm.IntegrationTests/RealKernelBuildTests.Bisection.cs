using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

public sealed partial class RealKernelBuildTests
{
    /// <summary>
    /// A bisection on the real linux-6.1 (tinyconfig x86_64, gcc-12): 8 commits on top of it, each a
    /// harmless line in kernel/panic.c (which tinyconfig compiles); commit 5 adds a function with an
    /// unused variable. Bisecting for that warning with the criterion "diagnostic" finds commit 5 in
    /// log2(8) = 3 builds after the two ends, each an ordinary job (the host server's ccache serves
    /// the unchanged objects), and the excerpt is gcc's own warning line.
    /// </summary>
    [Fact]
    public async Task A_bisection_on_linux_6_1_finds_the_commit_that_adds_a_warning()
    {
        var repo = Path.Combine(RepoParent, RepoName);
        using var history = PatchSeries.On(repo, sparse: true);
        var panic = history.Read("kernel/panic.c");
        var commits = new List<string>();
        for (var i = 1; i <= 8; i++)
        {
            panic += i == 5
                ? "\nvoid kfarm_bisect_probe(void);\nvoid kfarm_bisect_probe(void)\n{\n\tint kfarm_bisect_unused;\n}\n"
                : $"\nint kfarm_bisect_{i};\n";
            commits.Add(history.Patch($"panic: bisection step {i}", "kernel/panic.c", panic));
        }
        history.Push("kfarm-bisect-test");

        using (var drain = await _farm.Http.PostAsync("api/v1/infrastructure/build-servers/pod/drain", null)) drain.EnsureSuccessStatusCode();
        try
        {
            var body = new JsonObject
            {
                ["source_repository"] = _git.Url(RepoName),
                ["branch"] = "kfarm-bisect-test",
                ["good"] = history.Base,
                ["bad"] = "kfarm-bisect-test",
                ["target_architecture"] = "x86_64",
                ["toolchain"] = "gcc-12",
                ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig" },
                ["criterion"] = new JsonObject { ["kind"] = "diagnostic", ["match"] = "kfarm_bisect_unused" },
            };
            using var started = await _farm.Http.PostAsJsonAsync("api/v1/bisections", body);
            var accepted = JsonNode.Parse(await started.Content.ReadAsStringAsync())!;
            Assert.True(started.IsSuccessStatusCode, accepted.ToJsonString());
            var id = accepted["id"]!.GetValue<string>();
            var b = await BisectionTests.WaitAsync(_farm, id, TimeSpan.FromMinutes(40));

            Assert.True(b["result"]?.GetValue<string>() == "found", b.ToJsonString());
            Assert.Equal(commits[4], b["first_bad"]!["sha"]!.GetValue<string>());
            Assert.Contains(b["excerpt"]!.AsArray(), l => l!.GetValue<string>().StartsWith("kernel/panic.c:", StringComparison.Ordinal)
                && l.GetValue<string>().EndsWith("warning: unused variable 'kfarm_bisect_unused' [-Wunused-variable]", StringComparison.Ordinal));
            var steps = b["steps"]!.AsArray();
            Assert.Equal(3, steps.Count(s => s!["role"]!.GetValue<string>() == "probe"));
            Assert.All(steps, s => Assert.Contains(s!["verdict"]!.GetValue<string>(), new[] { "good", "bad" }));
            ContainerFarm.Report(output, $"bisection of 8 commits on linux-6.1: {b["duration_s"]} s; steps (s): "
                + string.Join(", ", steps.Select(s => $"{s!["role"]} {s["duration_s"]}")));
        }
        finally
        {
            using var undrain = await _farm.Http.PostAsync("api/v1/infrastructure/build-servers/pod/undrain", null);
        }
    }
}
