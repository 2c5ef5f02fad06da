using System.Text.Json.Nodes;
using KernelFarm.Cli.Bisect;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Tests.Support;
using Xunit;
using static KernelFarm.Cli.Tests.BisectionViewTests;

namespace KernelFarm.Cli.Tests;

/// <summary>What `bisect start --wait` prints while it waits (the range, each verdict, the window, each round), and how it polls.</summary>
public sealed class BisectionProgressTests
{
    /// <summary>
    /// The bisection of <see cref="BisectionViewTests.Found"/> as the polls saw it: 0 listing,
    /// 1 listed with the ends queued, 2 the ends judged and round 2 building #3, 3 #3 judged bad
    /// and round 3 testing #2, 4 ended (the view itself).
    /// </summary>
    private static JsonNode At(int poll)
    {
        var view = Found();
        if (poll == 4) return view;
        view["state"] = poll == 0 ? "listing" : poll == 1 ? "checking_ends" : "bisecting";
        view["result"] = null;
        view["message"] = null;
        view["first_bad"] = null;
        view["excerpt"] = new JsonArray();
        var steps = view["steps"]!.AsArray();
        var planned = poll switch { 0 => 1, 1 => 3, 2 => 4, _ => 5 };
        while (steps.Count > planned) steps.RemoveAt(steps.Count - 1);
        var judged = poll switch { 0 => 0, 1 => 1, 2 => 3, _ => 4 };
        for (var i = judged; i < steps.Count; i++)
        {
            steps[i]!["verdict"] = null;
            steps[i]!["detail"] = null;
            steps[i]!["state"] = i == judged ? "building" : "queued";
        }
        var rounds = view["rounds"]!.AsArray();
        while (rounds.Count > (poll == 0 ? 0 : poll + 1)) rounds.RemoveAt(rounds.Count - 1); // round 0 and those planned
        // a round's window is the one its judged steps (and those before) leave
        JsonNode Window(int first, int last) => JsonNode.Parse($$"""{"first":{{first}},"last":{{last}},"count":{{last - first + 1}}}""")!;
        if (poll >= 2) rounds[2]!["window"] = poll == 2 ? Window(1, 6) : Window(1, 3);
        if (poll == 3) rounds[3]!["window"] = Window(1, 3);
        if (poll == 0)
        {
            view["commits"] = null;
            view["good_commit"] = null;
            view["bad_commit"] = null;
            view["window"] = null;
        }
        else view["window"] = poll < 3 ? Window(1, 6) : Window(1, 3);
        return view;
    }

    [Fact]
    public void Each_poll_prints_what_happened_since_the_last_one_as_git_bisect_tells_it()
    {
        Assert.Empty(BisectionProgress.Changes(null, At(0)));
        Assert.Equal([
            "listed 6 commits after the good one: good #0 054d9599a3a2 Linux 6.1-fake, bad #6 ad5c97c80271 docs: five",
            "round 1: testing #0 054d9599a3a2 (good end), #6 ad5c97c80271 (bad end)",
        ], BisectionProgress.Changes(At(0), At(1)));
        Assert.Equal([
            "step 1 good end #0 054d9599a3a2 Linux 6.1-fake: good — the build passed",
            "step 2 bad end #6 ad5c97c80271 docs: five: bad — the build failed (building)", // the ends leave the window as it was
            "round 2: testing #3 2d419892a040",
        ], BisectionProgress.Changes(At(1), At(2)));
        Assert.Equal([
            "step 3 #3 2d419892a040 init: break the build: bad — the build failed (building)",
            "window #1…#3 (3 suspects)",
            "round 3: testing #2 594304fae287",
        ], BisectionProgress.Changes(At(2), At(3)));
        Assert.Equal([
            "step 4 #2 594304fae287 docs: two: good, reused — the build passed",
            "window #3 (1 suspect)",
        ], BisectionProgress.Changes(At(3), At(4)));
        Assert.Empty(BisectionProgress.Changes(At(4), At(4)));
    }

    [Fact]
    public void A_poll_that_missed_several_changes_prints_them_all_once_and_in_order()
    {
        Assert.Equal([
            "listed 6 commits after the good one: good #0 054d9599a3a2 Linux 6.1-fake, bad #6 ad5c97c80271 docs: five",
            "round 1: testing #0 054d9599a3a2 (good end), #6 ad5c97c80271 (bad end)",
            "step 1 good end #0 054d9599a3a2 Linux 6.1-fake: good — the build passed",
            "step 2 bad end #6 ad5c97c80271 docs: five: bad — the build failed (building)",
            "round 2: testing #3 2d419892a040",
            "step 3 #3 2d419892a040 init: break the build: bad — the build failed (building)",
            "window #1…#3 (3 suspects)",
            "round 3: testing #2 594304fae287",
        ], BisectionProgress.Changes(null, At(3)));
    }

    [Fact]
    public void A_view_without_rounds_still_tells_each_verdict_and_the_window()
    {
        var view = Found();
        view.AsObject().Remove("rounds");
        var lines = BisectionProgress.Changes(null, view);
        Assert.Equal(6, lines.Count); // listed, four verdicts (the listing's is the listed line), the window
        Assert.StartsWith("listed 6 commits", lines[0]);
        Assert.Equal("step 4 #2 594304fae287 docs: two: good, reused — the build passed", lines[^2]);
        Assert.Equal("window #3 (1 suspect)", lines[^1]);
    }

    [Fact]
    public void A_listing_that_failed_says_why_and_a_superseded_step_says_so()
    {
        var failed = JsonNode.Parse($$"""
            {"id":"b1","state":"ended","result":"failed","steps":[
              {{Step(0, 0, "list", null, null, "failed", "skip", "bad: nope is neither a commit nor a ref of the repository")}}]}
            """)!;
        Assert.Equal(["the range could not be listed — bad: nope is neither a commit nor a ref of the repository"], BisectionProgress.Changes(null, failed));

        var superseded = JsonNode.Parse($$"""
            {"id":"b1","state":"bisecting","steps":[
              {{Step(7, 3, "probe", 5, Commit(5, BisectionViewTests.Bad, "x: y"), "cancelled", "superseded", "the search moved past this commit: its job was cancelled")}}]}
            """)!;
        Assert.Equal(["step 7 #5 ad5c97c80271 x: y: superseded — the search moved past this commit: its job was cancelled"],
            BisectionProgress.Changes(null, superseded));
    }

    [Fact]
    public void Off_a_terminal_the_lines_are_all_there_is()
    {
        var output = new StringWriter();
        var progress = new BisectionProgress(output, terminal: false, () => 80);
        progress.Show(At(0));
        progress.Show(At(1));
        progress.Show(At(1));
        progress.Finish(At(4));
        var text = output.ToString().Replace("\r\n", "\n");
        Assert.DoesNotContain('\u001b', text);
        Assert.StartsWith("listed 6 commits after the good one: ", text);
        Assert.Single(text.Split('\n'), l => l.StartsWith("round 1: ", StringComparison.Ordinal)); // a repeated poll adds nothing
        Assert.EndsWith("step 4 #2 594304fae287 docs: two: good, reused — the build passed\nwindow #3 (1 suspect)\n", text);
    }

    [Fact]
    public void On_a_terminal_the_lines_scroll_above_a_status_line_redrawn_in_place_and_erased_at_the_end()
    {
        var output = new StringWriter();
        var progress = new BisectionProgress(output, terminal: true, () => 80);
        progress.Show(At(0));
        progress.Show(At(2));
        progress.Finish(At(4));
        var nl = Environment.NewLine;
        Assert.Equal(
            "\r\u001b[2K" + $"bisection b1 listing: {Good}..{BisectionViewTests.Bad}"[..78] + "…" + // cut to the width: no wrap
            "\r\u001b[2K" + string.Join(nl, BisectionProgress.Changes(At(0), At(2))) + nl +
            "\r\u001b[2Kbisection b1 bisecting: round 2, #1…#6 (6 suspects), 1 build running" +
            "\r\u001b[2K" + string.Join(nl, BisectionProgress.Changes(At(2), At(4))) + nl,
            output.ToString());
    }

    [Fact]
    public async Task The_waiter_polls_the_bisection_until_it_has_ended()
    {
        var answers = new[] { At(0), At(2), At(4) };
        var handler = new StubHandler((_, i) => StubHandler.Text(answers[i].ToJsonString(), "application/json"));
        using var client = new FarmClient(new CliConfig(new Uri("http://farm.test/"), null, "/dev/null"), handler);
        var output = new StringWriter();
        var final = await new BisectionWaiter(client, "b 1", new BisectionProgress(output, false, () => 80)) { PollInterval = TimeSpan.Zero }
            .WaitAsync(CancellationToken.None);
        Assert.Equal("found", final.Json["result"]!.GetValue<string>());
        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal("/api/v1/bisections/b%201", r.RequestUri!.AbsolutePath));
        Assert.EndsWith("window #3 (1 suspect)" + Environment.NewLine, output.ToString()); // the last poll's changes are printed too
    }
}
