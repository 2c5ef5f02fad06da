using KernelFarm.Actors.Bisections;
using KernelFarm.Messages.Bisections;
using Xunit;

namespace KernelFarm.Tests.Bisections;

public sealed class BisectionSearchTests
{
    private static BisectionRecord Listed(int n) => new()
    {
        Id = "b", Commits = Enumerable.Range(0, n + 1).Select(i => new BisectCommit(i, i.ToString("x40"), "A <a@x>", $"commit {i}")).ToList(),
        CommitCount = n,
        Steps = [new BisectStep { Number = 0, Role = StepRole.List, Queued = true, Verdict = Verdict.Good }],
    };

    /// <summary>Runs the search to its end against a history whose verdict at each index is given; returns the outcome and the rounds' probes.</summary>
    private static (BisectOutcome Outcome, List<List<int>> Rounds) Simulate(int n, int k, Func<int, Verdict> verdictAt)
    {
        var r = Listed(n);
        var rounds = new List<List<int>>();
        for (var guard = 0; guard < 200; guard++)
        {
            var d = BisectionSearch.Decide(r, k);
            if (d.End is { } end) return (end, rounds);
            Assert.NotEmpty(d.Queue); // with every step judged, the search never just waits
            rounds.Add(d.Queue.Select(p => p.Index).ToList());
            var number = r.Steps.Max(s => s.Number);
            var steps = r.Steps.ToList();
            foreach (var p in d.Queue)
                steps.Add(new BisectStep { Number = ++number, Round = d.Round, Role = p.Role, Index = p.Index, Queued = true, Verdict = verdictAt(p.Index) });
            r = r with { Steps = steps };
        }
        throw new InvalidOperationException("the search did not end");
    }

    [Theory]
    [InlineData(64, 37)]
    [InlineData(64, 1)]
    [InlineData(64, 64)]
    [InlineData(1, 1)]
    [InlineData(1000, 513)]
    public void One_slot_finds_the_first_bad_commit_in_log2_steps_after_the_ends(int n, int firstBad)
    {
        var (outcome, rounds) = Simulate(n, 1, i => i >= firstBad ? Verdict.Bad : Verdict.Good);
        Assert.Equal(BisectOutcome.Found, outcome.Result);
        Assert.Equal(firstBad, outcome.FirstBad!.Index);
        Assert.Equal(new[] { 0 }, rounds[0]); // the ends first, one at a time
        Assert.Equal(new[] { n }, rounds[1]);
        var probes = rounds.Skip(2).Sum(r => r.Count);
        Assert.InRange(probes, 0, (int)Math.Ceiling(Math.Log2(n)));
        Assert.All(rounds, r => Assert.Single(r));
    }

    [Theory]
    [InlineData(64, 37, 4, 3)]
    [InlineData(64, 2, 4, 3)]
    [InlineData(64, 63, 8, 2)]
    [InlineData(1000, 700, 16, 3)]
    public void K_slots_split_the_window_K_plus_1_ways_each_round(int n, int firstBad, int k, int maxRounds)
    {
        var (outcome, rounds) = Simulate(n, k, i => i >= firstBad ? Verdict.Bad : Verdict.Good);
        Assert.Equal(firstBad, outcome.FirstBad!.Index);
        Assert.InRange(rounds.Count, 1, maxRounds);
        Assert.All(rounds, r => Assert.InRange(r.Count, 1, Math.Max(k, 2)));
        Assert.Equal(k, rounds[0].Count); // the ends and k-2 commits between them
    }

    [Fact]
    public void Rounds_fall_with_slots_for_64_commits()
    {
        int Rounds(int k) => Simulate(64, k, i => i >= 37 ? Verdict.Bad : Verdict.Good).Rounds.Count;
        Assert.Equal(8, Rounds(1)); // the two ends, then 6 halvings
        Assert.True(Rounds(4) * 2 <= Rounds(1), $"4 slots: {Rounds(4)} rounds");
    }

    [Fact]
    public void Skipped_commits_are_stepped_around_and_never_tested_again()
    {
        var (outcome, rounds) = Simulate(16, 1, i => i is 8 or 9 ? Verdict.Skip : i >= 11 ? Verdict.Bad : Verdict.Good);
        Assert.Equal(11, outcome.FirstBad!.Index);
        var tested = rounds.SelectMany(r => r).ToList();
        Assert.Equal(tested.Count, tested.Distinct().Count());
        Assert.Contains(8, tested);
    }

    [Fact]
    public void Only_skipped_commits_left_makes_an_ambiguous_answer_naming_the_candidates()
    {
        var (outcome, _) = Simulate(8, 1, i => i is 4 or 5 ? Verdict.Skip : i >= 6 ? Verdict.Bad : Verdict.Good);
        Assert.Equal(BisectOutcome.Ambiguous, outcome.Result);
        Assert.Equal(new[] { 4, 5, 6 }, outcome.Candidates.Select(c => c.Index));
        Assert.Null(outcome.FirstBad);
    }

    [Theory]
    [InlineData(Verdict.Bad, Verdict.Bad, "the good commit")]
    [InlineData(Verdict.Skip, Verdict.Bad, "the good commit")]
    [InlineData(Verdict.Good, Verdict.Good, "the bad commit")]
    [InlineData(Verdict.Good, Verdict.Skip, "the bad commit")]
    [InlineData(Verdict.Bad, null, "the good commit")]
    public void Ends_that_do_not_behave_end_it_and_cancel_what_still_runs(Verdict good, Verdict? bad, string named)
    {
        var r = Listed(16) with { };
        r = r with
        {
            Steps = [.. r.Steps,
                new BisectStep { Number = 1, Round = 1, Role = StepRole.Good, Index = 0, Queued = true, Verdict = good },
                new BisectStep { Number = 2, Round = 1, Role = StepRole.Bad, Index = 16, Queued = true, Verdict = bad },
                new BisectStep { Number = 3, Round = 1, Role = StepRole.Probe, Index = 8, Queued = true }],
        };
        var d = BisectionSearch.Decide(r, 3);
        Assert.Equal(BisectOutcome.EndsWrong, d.End!.Result);
        Assert.StartsWith(named, d.End.Message);
        Assert.Equal(bad is null ? new[] { 2, 3 } : new[] { 3 }, d.Supersede); // every running build, the other end's too
    }

    [Fact]
    public void A_running_probe_the_window_moved_past_is_superseded_and_the_next_round_starts()
    {
        var r = Listed(16);
        r = r with
        {
            Steps = [.. r.Steps,
                new BisectStep { Number = 1, Round = 1, Role = StepRole.Good, Index = 0, Queued = true, Verdict = Verdict.Good },
                new BisectStep { Number = 2, Round = 1, Role = StepRole.Bad, Index = 16, Queued = true, Verdict = Verdict.Bad },
                new BisectStep { Number = 3, Round = 2, Role = StepRole.Probe, Index = 4, Queued = true, Verdict = Verdict.Bad },
                new BisectStep { Number = 4, Round = 2, Role = StepRole.Probe, Index = 8, Queued = true },
                new BisectStep { Number = 5, Round = 2, Role = StepRole.Probe, Index = 12, Queued = true }],
        };
        var d = BisectionSearch.Decide(r, 3);
        Assert.Equal(new[] { 4, 5 }, d.Supersede);
        Assert.Equal(new[] { 1, 2, 3 }, d.Queue.Select(p => p.Index)); // (0, 4) split in four
        Assert.Equal(3, d.Round);
    }

    [Fact]
    public void A_probe_still_running_inside_the_window_makes_it_wait()
    {
        var r = Listed(16);
        r = r with
        {
            Steps = [.. r.Steps,
                new BisectStep { Number = 1, Round = 1, Role = StepRole.Good, Index = 0, Queued = true, Verdict = Verdict.Good },
                new BisectStep { Number = 2, Round = 1, Role = StepRole.Bad, Index = 16, Queued = true, Verdict = Verdict.Bad },
                new BisectStep { Number = 3, Round = 2, Role = StepRole.Probe, Index = 4, Queued = true, Verdict = Verdict.Good },
                new BisectStep { Number = 4, Round = 2, Role = StepRole.Probe, Index = 8, Queued = true }],
        };
        var d = BisectionSearch.Decide(r, 3);
        Assert.Null(d.End);
        Assert.Empty(d.Queue);
        Assert.Empty(d.Supersede);
    }

    [Fact]
    public void Rounds_record_the_window_after_each_round()
    {
        var r = Listed(16);
        r = r with
        {
            Steps = [.. r.Steps,
                new BisectStep { Number = 1, Round = 1, Role = StepRole.Good, Index = 0, Verdict = Verdict.Good },
                new BisectStep { Number = 2, Round = 1, Role = StepRole.Bad, Index = 16, Verdict = Verdict.Bad },
                new BisectStep { Number = 3, Round = 1, Role = StepRole.Probe, Index = 8, Verdict = Verdict.Good },
                new BisectStep { Number = 4, Round = 2, Role = StepRole.Probe, Index = 12, Verdict = Verdict.Bad }],
        };
        var rounds = BisectionSearch.Rounds(16, r.Steps);
        Assert.Equal(new[] { (0, 16), (8, 16), (8, 12) }, rounds.Select(x => (x.Window.Lo, x.Window.Hi)));
    }
}
