using System.Text.Json.Nodes;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Bisect;

/// <summary>A commit of the range as the farm names it (index 0 the good end … the bad end), read leniently.</summary>
public sealed record BisectionCommit(int Index, string Sha, string Author, string Subject)
{
    /// <summary>Commit ids are shown this long, as the farm's own messages cut them.</summary>
    public const int ShortSha = 12;

    public static BisectionCommit? From(JsonNode? c) => c is JsonObject
        ? new((int)(Json.Long(c, "index") ?? -1), Json.Str(c, "sha") ?? "", Json.Str(c, "author") ?? "", Json.Str(c, "subject") ?? "")
        : null;

    public string Short => Sha.Length > ShortSha ? Sha[..ShortSha] : Sha;

    /// <summary>"#3 4c5d6e7f8091 init: break the build".</summary>
    public string Label => $"#{Index} {Short}{(Subject.Length > 0 ? " " + Subject : "")}";
}

/// <summary>One step of a bisection as the API shows it (BisectionView.steps[]): a job that lists the range or builds one commit.</summary>
public sealed record BisectionStep(int Step, int Round, string Role, int? Index, BisectionCommit? Commit, string JobId, string State,
    string? Verdict, string? Detail, IReadOnlyList<string> Excerpt, double? DurationS, string? Server, bool Reused)
{
    public static BisectionStep From(JsonNode s) => new(
        (int)(Json.Long(s, "step") ?? -1), (int)(Json.Long(s, "round") ?? 0), Json.Str(s, "role") ?? "probe",
        Json.Long(s, "index") is { } i ? (int)i : null, BisectionCommit.From(s["commit"]), Json.Str(s, "job_id") ?? "",
        Json.Str(s, "state") ?? "unknown", Json.Str(s, "verdict"), Json.Str(s, "detail"), Json.Strings(s, "excerpt"),
        Json.Double(s, "duration_s"), Json.Str(s, "server"), Json.Bool(s, "reused") ?? false);

    public static IReadOnlyList<BisectionStep> All(JsonNode? view) => Json.Array(view, "steps").Select(From).ToList();

    /// <summary>The step that lists the range (step 0): it builds nothing.</summary>
    public bool IsListing => Role == "list";

    public bool Judged => Verdict is not null;

    /// <summary>A build the queue took that has not ended (the listing is not a build; pending: not queued yet).</summary>
    public bool Running => !Judged && !IsListing && State is not ("pending" or "unknown") && !JobStates.IsTerminal(State);

    /// <summary>
    /// "step 3 #3 4c5d6e7f8091 init: break the build"; the ends say which they are
    /// ("step 1 good end #0 …"); the listing step is "step 0 listing".
    /// </summary>
    public string Label
    {
        get
        {
            if (IsListing) return $"step {Step} listing";
            var end = Role is "good" or "bad" ? $" {Role} end" : "";
            var commit = Commit?.Label ?? (Index is { } i ? $"#{i}" : "");
            return $"step {Step}{end}{(commit.Length > 0 ? " " + commit : "")}";
        }
    }

    /// <summary>The verdict once judged (", reused" when the job took an earlier build's result), else the job's state.</summary>
    public string Status => Verdict is { } v ? (Reused ? $"{v}, reused" : v) : State;
}
