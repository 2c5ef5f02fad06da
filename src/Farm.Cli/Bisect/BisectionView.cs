using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Bisect;

/// <summary>How a bisection (the API's BisectionView JSON) reads in `bisect show` and at the end of `bisect start --wait`.</summary>
public static class BisectionView
{
    /// <summary>Subjects are cut here in the steps table so that a row stays on a line.</summary>
    public const int SubjectWidth = 40;

    /// <summary>The details (outcome, first bad commit, window …), the steps table, why steps were bad or skipped, and the summary line.</summary>
    public static string Show(JsonNode view)
    {
        var sb = new StringBuilder(Details(view)).Append('\n').Append(Table(view));
        var reasons = Reasons(view);
        if (reasons.Length > 0) sb.Append('\n').Append(reasons);
        return sb.Append('\n').Append(Summary(view)).Append('\n').ToString();
    }

    /// <summary>
    /// "label: value" lines: the state and result, the farm's message, what is bisected and how
    /// (repository, build, criterion, the range's ends), the first bad commit (full sha, subject,
    /// author) or the candidates, the log lines that show the criterion, the window and the builds.
    /// </summary>
    public static string Details(JsonNode view)
    {
        var state = Json.Str(view, "state") ?? "unknown";
        var result = Json.Str(view, "result");
        var config = view["build_config"];
        var build = string.Join(", ", new[] { Json.Str(view, "target_architecture"), Json.Str(view, "toolchain"), Json.Str(config, "kernel_config") }
            .Where(s => !string.IsNullOrEmpty(s)));
        var candidates = Json.Array(view, "candidates").Select(BisectionCommit.From).OfType<BisectionCommit>().Select(c => c.Label).ToList();
        var builds = Json.Long(view, "builds");
        var took = Json.Double(view, "duration_s") is { } s ? Durations.Format(TimeSpan.FromSeconds(s)) : null;
        return new Details()
            .Add("bisection", Json.Str(view, "id"))
            .Add("state", state + (result is null ? "" : $", {result}") + (Json.Bool(view, "cancel_requested") == true && result is null ? " (cancel requested)" : ""))
            .Add("message", Json.Str(view, "message"))
            .Add("repository", Json.Str(view, "source_repository") is { } repository
                ? repository + (Json.Str(view, "branch") is { } branch ? $" (branch {branch})" : "") : null)
            .Add("build", build)
            .Add("criterion", Criterion(view["criterion"]))
            .Add("parallel", Json.Long(view, "max_parallel") is { } k ? $"{k}" : null)
            .Add("good", End(view, "good", "good_commit"))
            .Add("bad", End(view, "bad", "bad_commit"))
            .Add("commits", Json.Long(view, "commits") is { } n ? $"{n} after the good one" : null)
            .Add("first bad", FirstBad(view["first_bad"]))
            .Add("candidates", candidates.Count == 0 ? null : string.Join('\n', candidates))
            .Add("excerpt", Json.Strings(view, "excerpt") is { Count: > 0 } lines ? string.Join('\n', lines) : null)
            .Add("window", Window(view["window"]))
            .Add("builds", builds?.ToString(CultureInfo.InvariantCulture))
            .Add("duration", took)
            .Render();
    }

    /// <summary>A row per step: number, round, role, commit (#index short sha subject), verdict (or the job's state), build time, server, job id.</summary>
    public static string Table(JsonNode view)
    {
        var table = new Table("STEP", "ROUND", "ROLE", "COMMIT", "VERDICT", "TIME", "SERVER", "JOB").AlignRight(0, 1, 5);
        foreach (var s in BisectionStep.All(view))
            table.Add(s.Step.ToString(CultureInfo.InvariantCulture), s.Round.ToString(CultureInfo.InvariantCulture), s.Role,
                s.Commit is { } c ? Cut(c.Label, SubjectWidth + 16) : s.Index is { } i ? $"#{i}" : null,
                s.Status, s.DurationS is { } d ? Durations.Format(TimeSpan.FromSeconds(d)) : null, s.Server, s.JobId);
        return table.Render();
    }

    /// <summary>
    /// For each step judged bad or skipped (a listing that failed too): why; for a skip also the log
    /// lines that show it (a bad step's are the criterion's, which the details show for the first bad commit).
    /// </summary>
    public static string Reasons(JsonNode view)
    {
        var sb = new StringBuilder();
        foreach (var s in BisectionStep.All(view).Where(s => s.Verdict is "bad" or "skip" && s.Detail is not null))
        {
            sb.Append(s.Label).Append(": ").Append(s.Verdict).Append(" — ").Append(s.Detail).Append('\n');
            if (s.Verdict == "skip") foreach (var line in s.Excerpt) sb.Append("  ").Append(line).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// One line: "bisection ID found: #3 4c5d6e7f8091 init: break the build is the first bad commit"; for
    /// another end its result and the farm's message; while it runs, its state, the round and the suspects left.
    /// </summary>
    public static string Summary(JsonNode view)
    {
        var id = Json.Str(view, "id");
        var result = Json.Str(view, "result");
        if (BisectionOutcome.HasEnded(view) || result is not null)
        {
            if (result == "found" && BisectionCommit.From(view["first_bad"]) is { } bad)
                return $"bisection {id} found: {bad.Label} is the first bad commit";
            return $"bisection {id} {result ?? "ended"}{(Json.Str(view, "message") is { Length: > 0 } m && m != result ? $": {m}" : "")}";
        }
        var state = Json.Str(view, "state") ?? "unknown";
        var parts = new List<string>();
        if (state == "listing") parts.Add($"{Json.Str(view, "good")}..{Json.Str(view, "bad")}");
        var rounds = Json.Array(view, "rounds").Select(r => Json.Long(r, "round") ?? 0).DefaultIfEmpty(0).Max();
        if (rounds > 0) parts.Add($"round {rounds}");
        if (Window(view["window"]) is { } window) parts.Add(window);
        var running = BisectionStep.All(view).Count(s => s.Running);
        if (running > 0) parts.Add($"{running} build{(running == 1 ? "" : "s")} running");
        return $"bisection {id} {state.Replace('_', ' ')}{(parts.Count == 0 ? "" : ": " + string.Join(", ", parts))}";
    }

    /// <summary>Once started: "bisection ID started: good v6.1, bad HEAD, criterion build_fails", as `jobs submit` says "job ID queued".</summary>
    public static string Accepted(JsonNode accepted) =>
        $"bisection {Json.Str(accepted, "id")} started: good {Json.Str(accepted, "good")}, bad {Json.Str(accepted, "bad")}, criterion {Criterion(accepted["criterion"]) ?? "?"}";

    /// <summary>"build_fails", "diagnostic matching \"-Wcpp\"", "size_grows by more than 4096 bytes".</summary>
    public static string? Criterion(JsonNode? criterion)
    {
        if (Json.Str(criterion, "kind") is not { } kind) return null;
        var match = Json.Str(criterion, "match") is { } m ? $" matching \"{m}\"" : "";
        var threshold = Json.Long(criterion, "threshold_bytes") is { } t ? $" by more than {t} bytes" : "";
        return kind + match + threshold;
    }

    /// <summary>
    /// "#3…#5 (3 suspects)", "#4 (1 suspect)"; null without a window (the range is not listed yet) or
    /// when it holds no suspect (ends that are wrong: a good end that fails leaves it empty).
    /// </summary>
    public static string? Window(JsonNode? window)
    {
        if (Json.Long(window, "first") is not { } first || Json.Long(window, "last") is not { } last) return null;
        var count = Json.Long(window, "count") ?? last - first + 1;
        if (count <= 0) return null;
        var suspects = $"{count} suspect{(count == 1 ? "" : "s")}";
        return first == last ? $"#{first} ({suspects})" : $"#{first}…#{last} ({suspects})";
    }

    /// <summary>The end as asked ("v6.1") and, once listed, the commit it is ("#0 1a2b3c4d5e6f subject").</summary>
    private static string? End(JsonNode view, string asked, string resolved)
    {
        var name = Json.Str(view, asked);
        return BisectionCommit.From(view[resolved]) is { } c
            ? (name is null || c.Sha.StartsWith(name, StringComparison.OrdinalIgnoreCase) ? c.Label : $"{name}: {c.Label}")
            : name;
    }

    /// <summary>The full commit id, its subject and its author, a line each.</summary>
    private static string? FirstBad(JsonNode? firstBad) =>
        BisectionCommit.From(firstBad) is { } c
            ? string.Join('\n', new[] { $"#{c.Index} {c.Sha}", c.Subject, c.Author }.Where(s => s.Length > 0))
            : null;

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
