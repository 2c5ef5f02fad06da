using System.Globalization;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Bisect;

/// <summary>
/// The display while `bisect start --wait` waits: a line for each thing that happened since the last
/// poll (the range listed, a step's verdict, the window narrowed, a round started), as git bisect
/// tells its story; on a terminal with a status line below them, redrawn in place (the summary:
/// the round, the suspects left, the builds running) and erased at the end.
/// </summary>
public sealed class BisectionProgress(TextWriter writer, bool terminal, Func<int> width)
{
    private readonly StatusLine _line = new(writer, width);
    private JsonNode? _last;

    public void Show(JsonNode view)
    {
        if (terminal) _line.Clear();
        Print(view);
        if (terminal) _line.Update(BisectionView.Summary(view));
    }

    /// <summary>The bisection has ended: the last changes as lines, the live line erased.</summary>
    public void Finish(JsonNode view)
    {
        if (terminal) _line.Clear();
        Print(view);
    }

    private void Print(JsonNode view)
    {
        foreach (var line in Changes(_last, view)) writer.WriteLine(line);
        writer.Flush();
        _last = view;
    }

    /// <summary>
    /// What <paramref name="now"/> shows that <paramref name="before"/> (null: nothing seen yet) did not,
    /// told round by round as it happened: the range listed ("listed 6 commits after the good one: …");
    /// then for each round, once it starts the commits it tests ("round 2: testing #3 4c5d6e7f8091"),
    /// each verdict with why ("step 3 #3 4c5d6e7f8091 init: x: bad — the build failed (compile)") and
    /// the window those verdicts left, when it narrowed ("window #1…#3 (3 suspects)").
    /// </summary>
    public static IReadOnlyList<string> Changes(JsonNode? before, JsonNode now)
    {
        var lines = new List<string>();
        var window = BisectionView.Window(before?["window"]);
        var rounds = Json.Array(now, "rounds");
        if (Json.Long(before, "commits") is null && Json.Long(now, "commits") is { } n)
        {
            var ends = new[] { ("good", "good_commit"), ("bad", "bad_commit") }
                .Select(e => BisectionCommit.From(now[e.Item2]) is { } c ? $"{e.Item1} {c.Label}" : null).OfType<string>().ToList();
            lines.Add($"listed {n} commit{(n == 1 ? "" : "s")} after the good one{(ends.Count == 0 ? "" : ": " + string.Join(", ", ends))}");
            // the whole range is the first window: the line above says it
            window = BisectionView.Window(rounds.FirstOrDefault(r => Json.Long(r, "round") == 0)?["window"]) ?? window;
        }

        var wasJudged = BisectionStep.All(before).Where(s => s.Judged).Select(s => s.Step).ToHashSet();
        var started = Json.Array(before, "rounds").Select(r => Json.Long(r, "round")).ToHashSet();
        var steps = BisectionStep.All(now);
        var judged = steps.Where(s => s.Judged && !wasJudged.Contains(s.Step)).ToList();
        var told = new HashSet<int>();

        foreach (var s in judged.Where(s => s.IsListing && s.Verdict == "skip"))
            lines.Add($"the range could not be listed{(s.Detail is null ? "" : " — " + s.Detail)}");
        told.UnionWith(judged.Where(s => s.IsListing).Select(s => s.Step)); // a listing that worked is the "listed" line

        foreach (var round in rounds.Where(r => Json.Long(r, "round") > 0).OrderBy(r => Json.Long(r, "round")))
        {
            var number = Json.Long(round, "round");
            var its = Json.Array(round, "steps").Select(Json.Str).OfType<string>()
                .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToHashSet();
            if (!started.Contains(number))
            {
                var tested = steps.Where(s => its.Contains(s.Step)).Select(Tested).ToList();
                if (tested.Count > 0) lines.Add($"round {number}: testing {string.Join(", ", tested)}");
            }
            var verdicts = judged.Where(s => s.Round == number && !told.Contains(s.Step)).ToList();
            foreach (var s in verdicts) lines.Add(Verdict(s));
            told.UnionWith(verdicts.Select(s => s.Step));
            if (verdicts.Count > 0 && BisectionView.Window(round["window"]) is { } after && after != window)
            {
                lines.Add($"window {after}");
                window = after;
            }
        }

        // verdicts of steps no round names, and the window they left (a view without rounds)
        foreach (var s in judged.Where(s => !told.Contains(s.Step))) lines.Add(Verdict(s));
        if (BisectionView.Window(now["window"]) is { } last && last != window) lines.Add($"window {last}");
        return lines;
    }

    /// <summary>"step 3 #3 4c5d6e7f8091 init: break the build: bad — the build failed (building)".</summary>
    private static string Verdict(BisectionStep s) => $"{s.Label}: {s.Status}{(s.Detail is null ? "" : " — " + s.Detail)}";

    /// <summary>"#3 4c5d6e7f8091", "#0 1a2b3c4d5e6f (good end)".</summary>
    private static string Tested(BisectionStep s)
    {
        var commit = s.Commit is { } c ? $"#{c.Index} {c.Short}" : $"#{s.Index}";
        return s.Role is "good" or "bad" ? $"{commit} ({s.Role} end)" : commit;
    }
}
