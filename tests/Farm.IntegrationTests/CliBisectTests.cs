using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// `kfarm bisect …` (the real tool, as <see cref="CliTests"/> runs it) against a farm of its own with
/// real sshd servers and the fake kbuild tree, whose init/main.c is really compiled: a commit that
/// adds a #error to it really breaks the build, and the bisection has to find that commit.
/// </summary>
public sealed class CliBisectTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private static readonly TimeSpan BisectTimeout = TimeSpan.FromSeconds(300);
    private const string Main = "init/main.c";

    private FarmWithServers Env => fixture.Env;
    private FarmProcess Farm => fixture.Env.Farm;

    private static string MainWith(string extra) =>
        "// SPDX-License-Identifier: GPL-2.0\n" + extra + "int start_kernel(void)\n{\n\treturn 0;\n}\n";

    /// <summary>
    /// Six commits on master's tip, pushed as <paramref name="branch"/>: the third adds a #error to
    /// init/main.c, the others touch files the build does not read. Returns the history (Base is the good end).
    /// </summary>
    private static (PatchSeries History, string Breaking, string Head) History(string root, string branch)
    {
        var history = PatchSeries.On(root);
        history.Patch("docs: one", "Documentation/one.txt", "one\n");
        history.Patch("docs: two", "Documentation/two.txt", "two\n");
        var breaking = history.Patch("init: break the build", Main, MainWith("#error \"kfarm bisect\"\n"));
        history.Patch("docs: three", "Documentation/three.txt", "three\n");
        history.Patch("docs: four", "Documentation/four.txt", "four\n");
        var head = history.Patch("docs: five", "Documentation/five.txt", "five\n");
        history.Push(branch);
        return (history, breaking, head);
    }

    private string[] StartArgs(string branch, params string[] more) =>
        ["bisect", "start", "--repo", Env.RepoUrl, "--branch", branch, "--arch", "x86_64", "--toolchain", "gcc-12", "--config", "tinyconfig", .. more];

    [Fact]
    public async Task Bisect_start_wait_finds_the_commit_that_breaks_the_build_prints_each_round_and_exits_0()
    {
        var (history, breaking, head) = History(Env.Tree.BareRepoPath, "bisect-found");
        using var _ = history;

        var r = await Kfarm(StartArgs("bisect-found", "--good", history.Base, "--bad", head, "--criterion", "build_fails", "--wait"), BisectTimeout);

        AssertExit(0, r);
        var id = Regex.Match(r.Stdout, $"^bisection ([0-9a-f-]{{36}}) started: good {history.Base}, bad {head}, criterion build_fails; waiting for it to end").Groups[1].Value;
        Assert.NotEqual("", id);
        Assert.DoesNotContain('\u001b', r.Stdout); // not a terminal: lines only, no status line redrawn
        var shortSha = breaking[..12];
        // the story as it happened, round by round: the range, the ends, each probe's verdict, the window narrowing to one commit
        var story = Lines(r.Stdout[..r.Stdout.IndexOf("\nbisection:", StringComparison.Ordinal)]);
        InOrder(story,
            $"^listed 6 commits after the good one: good #0 {history.Base[..12]} Linux 6.1-fake, bad #6 {head[..12]} docs: five$",
            // one slot: the ends one after the other
            $@"^round 1: testing #0 {history.Base[..12]} \(good end\)$",
            $@"^step \d+ good end #0 {history.Base[..12]} Linux 6.1-fake: good — the build passed$",
            $@"^round 2: testing #6 {head[..12]} \(bad end\)$",
            $@"^step \d+ bad end #6 {head[..12]} docs: five: bad — the build failed",
            @"^round 3: testing #\d [0-9a-f]{12}",
            $@"^step \d+ #3 {shortSha} init: break the build: bad — the build failed",
            "^window #3 \\(1 suspect\\)$");
        Assert.Equal("window #3 (1 suspect)", story[^1]);
        Assert.DoesNotContain(story, l => l.Contains(" skip", StringComparison.Ordinal));

        // the report, as `bisect show` prints it
        var report = r.Stdout[r.Stdout.IndexOf("bisection:", StringComparison.Ordinal)..];
        Assert.Matches("^bisection: +" + id + "\nstate: +ended, found\n", report);
        Assert.Matches($"\nfirst bad: +#3 {breaking}\n +init: break the build\n +Patch Author <author@example.org>\n", report);
        Assert.Matches("\nexcerpt: +init/main.c:2:[0-9:]* ?error: #error \"kfarm bisect\"", report);
        Assert.Matches(@"\nSTEP +ROUND +ROLE +COMMIT +VERDICT +TIME +SERVER +JOB\n", report);
        Assert.Matches($@"\n +0 +0 +list +- +good +\S+ +x86 +[0-9a-f-]{{36}}\n", report);
        Assert.Matches($@"\n +\d+ +\d+ +probe +#3 {shortSha} init: break the build +bad +\S+ +x86 +[0-9a-f-]{{36}}\n", report);
        Assert.EndsWith($"\nbisection {id} found: #3 {shortSha} init: break the build is the first bad commit\n", report);
        Assert.Equal("", r.Stderr);

        var show = await Kfarm("bisect", "show", id);
        AssertExit(0, show);
        Assert.Equal(report, show.Stdout);

        var json = await Kfarm("bisect", "show", id, "--json");
        AssertExit(0, json);
        var view = JsonNode.Parse(json.Stdout)!;
        Assert.Equal((id, "ended", "found", breaking), (view["id"]!.GetValue<string>(), view["state"]!.GetValue<string>(),
            view["result"]!.GetValue<string>(), view["first_bad"]!["sha"]!.GetValue<string>()));

        // an ended bisection cannot be cancelled: the farm's 409, exit 5
        var cancel = await Kfarm("bisect", "cancel", id);
        AssertExit(5, cancel);
        Assert.Contains($"bisection {id} has already ended", cancel.Stderr);
    }

    [Fact]
    public async Task Ends_that_are_wrong_exit_1_with_the_farms_message_and_a_running_bisection_can_be_cancelled()
    {
        var (history, breaking, head) = History(Env.Tree.BareRepoPath, "bisect-wrong");
        using var _ = history;

        // the "good" end already fails the criterion
        var wrong = await Kfarm(StartArgs("bisect-wrong", "--good", breaking, "--bad", head, "--criterion", "build_fails", "--wait"), BisectTimeout);
        AssertExit(1, wrong);
        var id = Regex.Match(wrong.Stdout, "^bisection ([0-9a-f-]{36}) started").Groups[1].Value;
        Assert.NotEqual("", id);
        Assert.Matches("\nstate: +ended, ends_wrong\n", wrong.Stdout);
        Assert.Matches($"^kfarm: bisection {id} ends_wrong: the good commit {breaking[..12]} already fails the criterion: the build failed \\(.+\\)\n$",
            wrong.Stderr);

        // without --wait: the id, at once; cancel stops it
        var started = await Kfarm(StartArgs("bisect-wrong", "--good", history.Base, "--bad", head, "--criterion", "build_fails", "--parallel", "2"));
        AssertExit(0, started);
        var running = Regex.Match(started.Stdout, $"^bisection ([0-9a-f-]{{36}}) started: good {history.Base}, bad {head}, criterion build_fails\n$").Groups[1].Value;
        Assert.NotEqual("", running);
        var cancel = await Kfarm("bisect", "cancel", running);
        AssertExit(0, cancel);
        Assert.Equal($"bisection {running} cancelled\n", cancel.Stdout);
        var show = await Kfarm("bisect", "show", running);
        AssertExit(0, show);
        Assert.Matches("\nstate: +ended, cancelled\n", show.Stdout);
        Assert.Matches("\nparallel: +2\n", show.Stdout);
    }

    [Fact]
    public async Task A_request_the_farm_refuses_exits_2_naming_the_field_and_local_mistakes_never_reach_it()
    {
        var before = await JobTotal();

        var noGood = await Kfarm(StartArgs("master", "--bad", "HEAD", "--criterion", "build_fails"));
        AssertExit(2, noGood);
        Assert.StartsWith("kfarm: Invalid request: good: is required", noGood.Stderr);
        Assert.EndsWith("(field: good)\n", noGood.Stderr);
        Assert.Equal("", noGood.Stdout);

        // everything missing at once is named at once
        var bare = await Kfarm("bisect", "start", "--repo", Env.RepoUrl, "--arch", "x86_64");
        AssertExit(2, bare);
        Assert.Matches(@"\(fields: good, bad, criterion, toolchain[,)]", bare.Stderr);

        var threshold = await Kfarm(StartArgs("master", "--good", "v1", "--bad", "v2", "--criterion", "build_fails", "--threshold-bytes", "10"));
        AssertExit(2, threshold);
        Assert.Contains("(field: criterion.threshold_bytes)", threshold.Stderr);

        var matchAlone = await Kfarm(StartArgs("master", "--good", "v1", "--bad", "v2", "--match", "error"));
        AssertExit(2, matchAlone);
        Assert.Equal("kfarm: --match refines a criterion: give --criterion build_fails|diagnostic|boot_fails|size_grows\n", matchAlone.Stderr);

        var kind = await Kfarm(StartArgs("master", "--good", "v1", "--bad", "v2", "--criterion", "slower"));
        AssertExit(2, kind);
        Assert.Contains("'slower' not recognized", kind.Stderr);

        Assert.Equal(before, await JobTotal()); // nothing was queued
        AssertExit(3, await Kfarm("bisect", "show", Guid.NewGuid().ToString()));
    }

    private static IReadOnlyList<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Each pattern matches a line, each after the line the one before matched.</summary>
    private static void InOrder(IReadOnlyList<string> lines, params string[] patterns)
    {
        var at = -1;
        foreach (var pattern in patterns)
        {
            var next = Enumerable.Range(at + 1, lines.Count - at - 1).FirstOrDefault(i => Regex.IsMatch(lines[i], pattern), -1);
            Assert.True(next >= 0, $"no line matching {pattern} after line {at}:\n{string.Join('\n', lines)}");
            at = next;
        }
    }

    // ---- running the tool (as CliTests runs it) --------------------------------------------

    private Task<ProcResult> Kfarm(params string[] args) => Kfarm(args, TimeSpan.FromSeconds(60));

    /// <summary>`dotnet kfarm.dll args` with the operator's token, HOME in the fixture's folder and no KFARM_CONFIG.</summary>
    private async Task<ProcResult> Kfarm(string[] args, TimeSpan timeout)
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
            return await Proc.RunAsync("dotnet", [CliTests.KfarmDll, .. args], cts.Token, environment: env);
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
