using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// `kfarm series …` (the real tool, as <see cref="CliTests"/> runs it) against a farm of its own with
/// real sshd servers and the fake kbuild tree, whose init/main.c is really compiled: a #warning
/// added by a patch is a real compiler warning, a #error a real build failure.
/// </summary>
public sealed class CliSeriesTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private static readonly TimeSpan SeriesTimeout = TimeSpan.FromSeconds(180);
    private const string Main = "init/main.c";

    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private static string MainWith(string extra) =>
        "// SPDX-License-Identifier: GPL-2.0\n" + extra + "int start_kernel(void)\n{\n\treturn 0;\n}\n";

    private async Task<string> MboxFileAsync(string name, string mbox)
    {
        var path = Path.Combine(fixture.Work.Path, name);
        await File.WriteAllTextAsync(path, mbox);
        return path;
    }

    private string[] SubmitArgs(PatchSeries series, params string[] more) =>
        ["series", "submit", "--repo", Env.RepoUrl, "--commit", series.Base, "--arch", "x86_64", "--config", "tinyconfig", .. more];

    /// <summary>The table's row of a step (the table ends at the first empty line; the diagnostics below name steps too).</summary>
    private static string Row(string output, string label) =>
        Assert.Single(output.Split("\n\n")[0].Split('\n'), l => l.StartsWith(label + " ", StringComparison.Ordinal));

    [Fact]
    public async Task Series_submit_wait_builds_each_patch_prints_the_table_naming_the_new_warning_and_exits_0()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: add a warning", Main, MainWith("#warning \"kfarm cli series\"\n"));
        series.Patch("init: drop the warning", Main, MainWith(""));
        var mbox = await MboxFileAsync("two.mbox", series.Mbox());

        var r = await Kfarm(SubmitArgs(series, "--mbox", mbox, "--wait"), SeriesTimeout);

        AssertExit(0, r);
        var id = Regex.Match(r.Stdout, "^series ([0-9a-f-]{36}) queued: 2 patches; waiting for it to end").Groups[1].Value;
        Assert.NotEqual("", id);
        Assert.DoesNotContain('\u001b', r.Stdout); // not a terminal: a line per change, no cursor control
        Assert.Contains("[1/2] init: add a warning: passed\n", r.Stdout);
        var table = r.Stdout[r.Stdout.LastIndexOf("STEP ", StringComparison.Ordinal)..];
        Assert.Matches("^STEP +SUBJECT +STATE +TIME +WARNINGS +ERRORS +SIZE +CONFIG +BOOT\n", table);
        Assert.Matches(@"^\[base\] +base [0-9a-f]{12} +passed +\S+ +0 +0 ", Row(table, "[base]"));
        Assert.Matches(@"^\[1/2\] +init: add a warning +passed +\S+ +\+1/-0 +\+0/-0 ", Row(table, "[1/2]"));
        Assert.Matches(@"^\[2/2\] +init: drop the warning +passed +\S+ +\+0/-1 +\+0/-0 ", Row(table, "[2/2]"));
        Assert.Contains("\n[1/2] init: add a warning\n  new warning: init/main.c:2: #warning \"kfarm cli series\" [-Wcpp]\n", table);
        Assert.Contains("\n[2/2] init: drop the warning\n  fixed warning: init/main.c:2: #warning \"kfarm cli series\" [-Wcpp]\n", table);
        Assert.EndsWith($"\nseries {id} passed: 2 patches\n", table);
        Assert.Equal("", r.Stderr);

        var show = await Kfarm("series", "show", id);
        AssertExit(0, show);
        Assert.Equal(table, show.Stdout);

        var text = await Kfarm("series", "show", id, "--text");
        AssertExit(0, text);
        Assert.Equal(await Farm.Http.GetStringAsync($"api/v1/series/{id}/report?format=text"), text.Stdout);
        Assert.Contains("new warning: init/main.c:2: #warning \"kfarm cli series\" [-Wcpp]", text.Stdout);

        var json = await Kfarm("series", "show", id, "--json");
        AssertExit(0, json);
        var report = JsonNode.Parse(json.Stdout)!;
        Assert.Equal((id, "passed", 2), (report["id"]!.GetValue<string>(), report["result"]!.GetValue<string>(), report["patches"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_patch_from_stdin_that_breaks_the_build_exits_1_with_its_errors()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        series.Patch("init: break the build", Main, MainWith("#error \"kfarm cli broken\"\n"));

        var r = await Kfarm(SubmitArgs(series, "--mbox", "-", "--wait"), SeriesTimeout, stdin: series.Mbox());

        AssertExit(1, r);
        var id = Regex.Match(r.Stdout, "^series ([0-9a-f-]{36}) queued: 1 patch;").Groups[1].Value;
        Assert.NotEqual("", id);
        var table = r.Stdout[r.Stdout.LastIndexOf("STEP ", StringComparison.Ordinal)..];
        Assert.Matches(@"^\[1/1\] +init: break the build +build-failed ", Row(table, "[1/1]"));
        Assert.Contains("\n[1/1] init: break the build\n  error: init/main.c:2: #error \"kfarm cli broken\"\n", table);
        Assert.EndsWith($"\nseries {id} failed: 1 patch; [1/1] build-failed\n", table);
        Assert.Equal($"kfarm: series {id} failed: 1 patch; [1/1] build-failed\n", r.Stderr);
    }

    [Fact]
    public async Task Bad_invocations_exit_2_with_a_message_and_the_farms_400_names_its_field()
    {
        using var series = PatchSeries.On(Env.Tree.BareRepoPath);
        var before = await JobTotal();

        var neither = await Kfarm(SubmitArgs(series));
        AssertExit(2, neither);
        Assert.Equal("kfarm: missing the patches: give --mbox FILE (- for stdin) or --range BASE..HEAD\n", neither.Stderr);
        Assert.Equal("", neither.Stdout);

        var both = await Kfarm(SubmitArgs(series, "--mbox", "-", "--range", $"{series.Base}..{series.Base}"));
        AssertExit(2, both);
        Assert.Contains("not both", both.Stderr);

        var missing = Path.Combine(fixture.Work.Path, "no-such.mbox");
        var unreadable = await Kfarm(SubmitArgs(series, "--mbox", missing));
        AssertExit(2, unreadable);
        Assert.StartsWith($"kfarm: cannot read {missing}: ", unreadable.Stderr);

        var shortRange = await Kfarm(SubmitArgs(series, "--range", "HEAD~2..HEAD"));
        AssertExit(2, shortRange);
        Assert.Contains("--range 'HEAD~2..HEAD': expected BASE..HEAD as two full 40-digit commit ids", shortRange.Stderr);
        Assert.Equal(before, await JobTotal()); // none of these reached the farm

        // the farm's own check: a file that holds no patch is its 400, naming the field
        var notAPatch = await Kfarm(SubmitArgs(series, "--mbox", await MboxFileAsync("not-a-patch.mbox", "not a patch at all\n")));
        AssertExit(2, notAPatch);
        Assert.StartsWith("kfarm: Invalid request", notAPatch.Stderr);
        Assert.Contains("(field: mbox)", notAPatch.Stderr);
        Assert.Equal("", notAPatch.Stdout);

        AssertExit(3, await Kfarm("series", "show", Guid.NewGuid().ToString()));
    }

    // ---- running the tool (as CliTests runs it) --------------------------------------------

    private Task<ProcResult> Kfarm(params string[] args) => Kfarm(args, TimeSpan.FromSeconds(60));

    /// <summary>`dotnet kfarm.dll args` with the operator's token, HOME in the fixture's folder and no KFARM_CONFIG.</summary>
    private async Task<ProcResult> Kfarm(string[] args, TimeSpan timeout, string? stdin = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        var env = new Dictionary<string, string?>
        {
            ["KFARM_ENDPOINT"] = $"http://127.0.0.1:{Farm.HttpPort}",
            ["KFARM_TOKEN"] = TestTokens.Operator,
            ["KFARM_CONFIG"] = null,
            ["HOME"] = fixture.Work.Path,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        try
        {
            return await Proc.RunAsync("dotnet", [CliTests.KfarmDll, .. args], cts.Token, stdin: stdin, environment: env);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kfarm {string.Join(' ', args)} did not end within {timeout}\n{Farm.Tail()}");
        }
    }

    private async Task<int> JobTotal() =>
        (await Farm.Http.GetFromJsonNode("api/v1/infrastructure/build-jobs?limit=1"))["total"]!.GetValue<int>();

    private static void AssertExit(int expected, ProcResult r) =>
        Assert.True(r.ExitCode == expected, $"exit {r.ExitCode}, expected {expected}\n--- stdout ---\n{r.Stdout}\n--- stderr ---\n{r.Stderr}");
}
