using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.Actors.Series;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

public sealed partial class RealKernelBuildTests
{
    private const string Pad = "kfarm_series_pad";

    /// <summary>
    /// A 3-patch series on the real linux-6.1 (tinyconfig x86_64, boot test on): patch 1 adds an
    /// unused variable in init/main.c, patch 2 adds 4096 bytes of read-only data to kernel/panic.c,
    /// patch 3 removes the variable again. The report names exactly that warning as new in patch 1
    /// and fixed in patch 3, patch 2's text grows by 4096 bytes (give or take alignment) with the
    /// symbol in bloat-o-meter's table, and every step boots. Then each patch's commit is built
    /// cold, as a plain job in a fresh workspace: its warnings equal the step's, so carrying the
    /// diagnostics of objects an incremental build did not recompile works.
    /// </summary>
    [Fact]
    public async Task A_three_patch_series_on_linux_6_1_reports_the_warning_each_patch_adds_or_fixes_and_the_size_it_adds()
    {
        var repo = Path.Combine(RepoParent, RepoName);
        using var series = PatchSeries.On(repo, sparse: true);
        var main = series.Read("init/main.c");
        var withWarning = main + "\nvoid kfarm_series_probe(void);\nvoid kfarm_series_probe(void)\n{\n\tint kfarm_unused;\n}\n";
        var first = series.Patch("init: add a probe with an unused variable", "init/main.c", withWarning);
        var second = series.Patch("panic: add a 4 KiB table", "kernel/panic.c", series.Read("kernel/panic.c") + $"\nconst char {Pad}[4096] = {{ 1 }};\n");
        var third = series.Patch("init: drop the unused variable", "init/main.c", withWarning.Replace("\tint kfarm_unused;\n", "", StringComparison.Ordinal));
        // the commits, for the cold builds: on a branch of their own, master stays as the other test builds it
        series.Push("kfarm-series-test");

        // Every build on the host server (ccache): the container server waits.
        using (var drain = await _farm.Http.PostAsync("api/v1/infrastructure/build-servers/pod/drain", null)) drain.EnsureSuccessStatusCode();
        try
        {
            var body = new JsonObject
            {
                ["source_repository"] = _git.Url(RepoName),
                ["branch"] = "master",
                ["commit_hash"] = series.Base,
                ["target_architecture"] = "x86_64",
                ["toolchain"] = "gcc-12",
                ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig", ["boot_test"] = true },
                ["mbox"] = series.Mbox(),
            };
            using var submitted = await _farm.Http.PostAsJsonAsync("api/v1/series", body);
            var accepted = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!;
            Assert.True(submitted.IsSuccessStatusCode, accepted.ToJsonString());
            var id = accepted["id"]!.GetValue<string>();
            var job = await _farm.WaitForEndAsync(id, TimeSpan.FromMinutes(40));
            var report = (await _farm.Http.GetFromJsonAsync<JsonObject>($"api/v1/series/{id}/report"))!;
            Assert.True(report["result"]!.GetValue<string>() == "passed", report.ToJsonString() + "\n" + Tail(await _farm.GetLogAsync(id)));
            var steps = report["steps"]!.AsArray();

            var added = Assert.Single(steps[1]!["new_warnings"]!.AsArray())!;
            Assert.Equal("init/main.c", added["file"]!.GetValue<string>());
            Assert.Equal("-Wunused-variable", added["option"]!.GetValue<string>());
            Assert.Equal("unused variable 'kfarm_unused'", added["message"]!.GetValue<string>());
            Assert.Empty(steps[1]!["fixed_warnings"]!.AsArray());
            Assert.Empty(steps[2]!["new_warnings"]!.AsArray());
            Assert.Empty(steps[2]!["fixed_warnings"]!.AsArray());
            Assert.Empty(steps[3]!["new_warnings"]!.AsArray());
            Assert.Equal("unused variable 'kfarm_unused'", Assert.Single(steps[3]!["fixed_warnings"]!.AsArray())!["message"]!.GetValue<string>());

            var delta = steps[2]!["size_delta"]!;
            Assert.InRange(delta["text"]!.GetValue<long>(), 4096, 4096 + 64);
            Assert.Equal(0, delta["data"]!.GetValue<long>());
            Assert.Equal(0, delta["bss"]!.GetValue<long>());
            var row = steps[2]!["bloat"]!.AsArray().First(r => r!["symbol"]!.GetValue<string>() == Pad)!;
            Assert.Equal(4096, row["delta"]!.GetValue<long>());
            Assert.InRange(Math.Abs(steps[1]!["size_delta"]!["text"]!.GetValue<long>()), 0, 64);   // a tiny function
            foreach (var step in steps)
            {
                Assert.Equal("passed", step!["state"]!.GetValue<string>());
                Assert.True(step["boot"]?["status"]?.GetValue<string>() == "pass", step.ToJsonString());
                Assert.True(step["config"] is null || (step["config"]!["added"]!.AsArray().Count == 0 && step["config"]!["changed"]!.AsArray().Count == 0));
            }
            Assert.Equal("pass", job["boot"]!["status"]!.GetValue<string>());
            var text = await _farm.Http.GetStringAsync($"api/v1/series/{id}/report?format=text");
            Assert.Contains("new warning: init/main.c:", text);
            Assert.Contains($"{Pad} +4096", text);
            var seconds = steps.Select(s => s!["seconds"]!.GetValue<int>()).ToArray();
            ContainerFarm.Report(output, $"series steps (s): base {seconds[0]}, patches {string.Join(", ", seconds[1..])}");

            // Cold builds of each patch's commit: the same warnings as the step that built it incrementally.
            var artifacts = job["artifact_directory"]!.GetValue<string>();
            foreach (var (commit, step) in new[] { (first, 1), (second, 2), (third, 3) })
            {
                var coldId = await _farm.SubmitAsync(new JsonObject
                {
                    ["source_repository"] = _git.Url(RepoName),
                    ["branch"] = "kfarm-series-test",
                    ["commit_hash"] = commit,
                    ["target_architecture"] = "x86_64",
                    ["toolchain"] = "gcc-12",
                    ["build_config"] = new JsonObject { ["kernel_config"] = "tinyconfig" },
                });
                var cold = await _farm.WaitForEndAsync(coldId, TimeSpan.FromMinutes(30));
                Assert.Equal("completed", FarmProcess.Status(cold));
                var coldSet = DiagnosticDiff.ColdSet(await _farm.GetLogAsync(coldId), null);
                var folder = Path.Combine(artifacts, "series", step.ToString("D3"));
                var stepSet = DiagnosticDiff.StepSet(await File.ReadAllTextAsync(Path.Combine(folder, "diagnostics")),
                    await File.ReadAllTextAsync(Path.Combine(folder, "build.log")), null);
                Assert.True(DiagnosticDiff.SameSet(coldSet, stepSet),
                    $"patch {step}: cold {string.Join(" | ", coldSet.Select(SeriesText.Describe))}\nstep {string.Join(" | ", stepSet.Select(SeriesText.Describe))}");
                Assert.Equal(step == 3 ? 0 : 1, stepSet.Count(d => d.Message == "unused variable 'kfarm_unused'"));
            }
        }
        finally
        {
            using var undrain = await _farm.Http.PostAsync("api/v1/infrastructure/build-servers/pod/undrain", null);
        }
    }
}
