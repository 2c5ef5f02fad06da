using System.Globalization;
using System.Text.Json.Nodes;

namespace KernelFarm.Bench.Servers;

/// <summary>One completed farm job: its record and when it was submitted.</summary>
public sealed record FarmRun(JsonObject Job, DateTimeOffset SubmittedAt)
{
    /// <summary>The machine's mean 1-minute load average while the job ran (see <see cref="LoadSampler"/>).</summary>
    public double LoadAverage { get; init; } = double.NaN;

    /// <summary>Submit → completed (artifacts in storage).</summary>
    public TimeSpan Total => At("completed") - SubmittedAt;

    /// <summary>Time spent in <paramref name="state"/>: from entering it to entering the next state.</summary>
    public TimeSpan InState(string state)
    {
        var transitions = Transitions(Job);
        var i = transitions.FindIndex(t => t.Status == state);
        if (i < 0 || i + 1 >= transitions.Count) throw new InvalidOperationException($"no time in {state}: {Job["transitions"]!.ToJsonString()}");
        return transitions[i + 1].At - transitions[i].At;
    }

    public DateTimeOffset At(string state) => TransitionAt(Job, state);

    /// <summary>When the job record <paramref name="job"/> first entered <paramref name="state"/> (the host's clock).</summary>
    public static DateTimeOffset TransitionAt(JsonObject job, string state) =>
        Transitions(job).FirstOrDefault(t => t.Status == state) is { Status: not null } t
            ? t.At
            : throw new InvalidOperationException($"no transition to {state}: {job["transitions"]!.ToJsonString()}");

    /// <summary>"preparing 12.3 s, configuring 5.1 s, …" from assigned to completed.</summary>
    public string Steps()
    {
        var t = Transitions(Job);
        return string.Join(", ", t.Zip(t.Skip(1), (a, b) => (a, b)).Where(p => p.a.Status is not ("queued" or "assigned"))
            .Select(p => $"{p.a.Status} {(p.b.At - p.a.At).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s"));
    }

    /// <summary>The job's metadata.json in central storage (ccache hits and misses, …).</summary>
    public JsonNode Metadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Job["artifact_directory"]!.GetValue<string>(), "metadata.json")))!;

    private static List<(string Status, DateTimeOffset At)> Transitions(JsonObject job) =>
        job["transitions"]!.AsArray()
            .Select(t => (t!["status"]!.GetValue<string>(), DateTimeOffset.Parse(t["at"]!.GetValue<string>(), CultureInfo.InvariantCulture)))
            .ToList();
}
