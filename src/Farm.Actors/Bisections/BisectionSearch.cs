using KernelFarm.Messages.Bisections;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// The search, as pure decisions over a bisection's record (docs/bisection.md "How it searches").
/// Commits are indexed 0 (good) … n (bad). The first bad commit lies in the window (lo, hi]: lo the
/// highest index judged good below hi, hi the lowest judged bad. Each round tests up to K commits
/// inside the window at evenly spaced points (a k-ary split), so a round shrinks it K+1 times;
/// the first round tests both ends too (with K = 1, one after the other, as one slot would). A round ends as soon as no running step lies inside the
/// window: steps the window has moved past are superseded (their jobs cancelled).
/// Skipped commits (failing for another reason) are never tested again, as <c>git bisect skip</c>.
/// </summary>
public static class BisectionSearch
{
    /// <summary>The suspects are Lo+1 … Hi; Count of them.</summary>
    public sealed record Window(int Lo, int Hi)
    {
        public int Count => Hi - Lo;
    }

    public sealed record Probe(StepRole Role, int Index);

    /// <summary>What to do now: end, cancel the superseded steps' jobs, queue a round's probes, or wait (all empty).</summary>
    public sealed record Decision(BisectOutcome? End, IReadOnlyList<int> Supersede, IReadOnlyList<Probe> Queue, int Round)
    {
        public static readonly Decision Wait = new(null, [], [], 0);
    }

    /// <summary>The window the judged steps leave, in a range of <paramref name="n"/> commits after the good one.</summary>
    public static Window WindowOf(int n, IEnumerable<BisectStep> steps)
    {
        var judged = steps.Where(s => s.Index is not null).ToList();
        var hi = judged.Where(s => s.Verdict == Verdict.Bad).Select(s => s.Index!.Value).DefaultIfEmpty(n).Min();
        var lo = judged.Where(s => s.Verdict == Verdict.Good && s.Index < hi).Select(s => s.Index!.Value).DefaultIfEmpty(0).Max();
        return new Window(lo, hi);
    }

    /// <summary>Up to <paramref name="k"/> untaken indexes strictly inside the window, nearest to its k-ary split points.</summary>
    public static IReadOnlyList<int> Split(Window w, int k, IReadOnlySet<int> taken)
    {
        var chosen = new SortedSet<int>();
        for (var j = 1; j <= k; j++)
        {
            // lo + (hi - lo) * j / (k + 1), rounded to the nearest index
            var target = w.Lo + (int)Math.Round((double)(w.Hi - w.Lo) * j / (k + 1), MidpointRounding.AwayFromZero);
            for (var d = 0; d < w.Hi - w.Lo; d++)
            {
                var pick = new[] { target - d, target + d }.FirstOrDefault(i => i > w.Lo && i < w.Hi && !taken.Contains(i) && !chosen.Contains(i), -1);
                if (pick >= 0) { chosen.Add(pick); break; }
            }
        }
        return [.. chosen];
    }

    /// <param name="slots">K: how many builds may run at once (at least 1).</param>
    public static Decision Decide(BisectionRecord r, int slots)
    {
        if (r.Commits.Count == 0) return Decision.Wait;
        var n = r.Commits.Count - 1;
        var steps = r.Steps.Where(s => s.Role != StepRole.List).ToList();
        var good = steps.FirstOrDefault(s => s.Role == StepRole.Good);
        var bad = steps.FirstOrDefault(s => s.Role == StepRole.Bad);
        var k = Math.Max(1, slots);

        if (EndsWrong(r, good, bad) is { } wrong) return new Decision(wrong, Running(steps).Select(s => s.Number).ToList(), [], 0);

        if (good is null || bad is null)
        {
            // The first rounds: both ends (one at a time when K is 1), and with K > 2 as many commits
            // between them as the other slots allow.
            var free = k - Running(steps).Count();
            if (free <= 0) return Decision.Wait;
            var ends = new List<Probe>();
            if (good is null) ends.Add(new(StepRole.Good, 0));
            if (bad is null) ends.Add(new(StepRole.Bad, n));
            var queue = ends.Take(Math.Max(1, free)).ToList();
            if (queue.Count == ends.Count && good is null && bad is null)
                queue.AddRange(Split(new Window(0, n), Math.Max(0, k - 2), new HashSet<int>()).Select(i => new Probe(StepRole.Probe, i)));
            return new Decision(null, [], queue, steps.Count == 0 ? 1 : steps.Max(s => s.Round) + 1);
        }

        var window = WindowOf(n, steps);
        var running = Running(steps).Where(s => s.Role == StepRole.Probe).ToList();
        var supersede = running.Where(s => s.Index <= window.Lo || s.Index >= window.Hi).Select(s => s.Number).ToList();
        if (good.Verdict is null || bad.Verdict is null || running.Any(s => s.Index > window.Lo && s.Index < window.Hi))
            return new Decision(null, supersede, [], 0);

        var taken = steps.Where(s => s.Verdict is null or Verdict.Good or Verdict.Bad or Verdict.Skip).Select(s => s.Index!.Value).ToHashSet();
        var untested = Enumerable.Range(window.Lo + 1, Math.Max(0, window.Count - 1)).Where(i => !taken.Contains(i)).ToList();
        if (untested.Count == 0) return new Decision(Outcome(r, window, steps), supersede, [], 0);

        var round = steps.Max(s => s.Round) + 1;
        return new Decision(null, supersede, Split(window, k, taken).Select(i => new Probe(StepRole.Probe, i)).ToList(), round);
    }

    private static IEnumerable<BisectStep> Running(IEnumerable<BisectStep> steps) => steps.Where(s => s.Verdict is null);

    private static BisectOutcome? EndsWrong(BisectionRecord r, BisectStep? good, BisectStep? bad)
    {
        string Sha(int i) => r.Commits[i].Sha[..12];
        var (g, b) = (r.Commits[0], r.Commits[^1]);
        return good?.Verdict switch
        {
            Verdict.Bad => Wrong($"the good commit {Sha(0)} already fails the criterion: {good!.Detail}", good),
            Verdict.Skip => Wrong($"the good commit {Sha(0)} cannot be judged: {good!.Detail}", good),
            _ => bad?.Verdict switch
            {
                Verdict.Good => Wrong($"the bad commit {Sha(b.Index)} passes the criterion: {bad.Detail}", bad),
                Verdict.Skip => Wrong($"the bad commit {Sha(b.Index)} cannot be judged: {bad.Detail}", bad),
                _ => null,
            },
        };

        static BisectOutcome Wrong(string message, BisectStep step) =>
            new() { Result = BisectOutcome.EndsWrong, Message = message, Excerpt = step.Excerpt };
    }

    /// <summary>No commit left to test: the first bad one, or (skips in the way) the commits it may be.</summary>
    private static BisectOutcome Outcome(BisectionRecord r, Window w, IReadOnlyList<BisectStep> steps)
    {
        var firstBad = r.Commits[w.Hi];
        var excerpt = steps.Where(s => s.Index == w.Hi && s.Verdict == Verdict.Bad).Select(s => s.Excerpt).FirstOrDefault() ?? [];
        if (w.Count == 1)
            return new BisectOutcome
            {
                Result = BisectOutcome.Found, FirstBad = firstBad, Excerpt = excerpt,
                Message = $"{firstBad.Sha} is the first bad commit",
            };
        var candidates = Enumerable.Range(w.Lo + 1, w.Count).Select(i => r.Commits[i]).ToList();
        return new BisectOutcome
        {
            Result = BisectOutcome.Ambiguous, Candidates = candidates, Excerpt = excerpt,
            Message = $"there are only skipped commits left to test: the first bad commit could be any of {candidates.Count}",
        };
    }

    /// <summary>The window after each round in a range of <paramref name="n"/> commits, for the narrowing the dashboard draws (round 0: the whole range).</summary>
    public static IReadOnlyList<(int Round, Window Window)> Rounds(int n, IEnumerable<BisectStep> allSteps)
    {
        var steps = allSteps.Where(s => s.Role != StepRole.List).ToList();
        var rounds = new List<(int, Window)> { (0, new Window(0, n)) };
        foreach (var round in steps.Select(s => s.Round).Distinct().Order())
            rounds.Add((round, WindowOf(n, steps.Where(s => s.Round <= round))));
        return rounds;
    }
}
