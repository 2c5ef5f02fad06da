using System.Globalization;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Series;

/// <summary>
/// What each step of a series changed against the step before it (docs/series.md): diagnostics
/// new and fixed, vmlinux size and the biggest symbols, configuration, build time, boot. Built
/// from the job, its log's markers and the step folders it brought back.
/// </summary>
public sealed record SeriesReport
{
    public required string Id { get; init; }
    /// <summary>The job's status (queued … completed, failed, cancelled).</summary>
    public required string Status { get; init; }
    /// <summary>running, passed (every step built), failed (a step did not apply or build, or the job failed), cancelled.</summary>
    public required string Result { get; init; }
    public int? Patches { get; init; }
    /// <summary>The base was built from the tree an earlier series of the same kind left on the server (incrementally).</summary>
    public bool WarmTree { get; init; }
    public required IReadOnlyList<SeriesStep> Steps { get; init; }

    /// <summary>Reads a file of a step's folder (series/NNN/NAME in the job's artifacts), or null.</summary>
    public delegate string? StepFiles(int step, string name);

    public static SeriesReport Build(JobRecord job, string log, StepFiles files)
    {
        var request = job.Request;
        var progress = SeriesProgress.Parse(log);
        var fromMbox = request.Series?.Mbox is { Length: > 0 } mbox ? Mbox.Patches(mbox) : [];
        var count = progress.Count ?? (fromMbox.Count > 0 ? fromMbox.Count : null);
        var terminal = job.Status.IsTerminal();
        var steps = new List<SeriesStep>();
        IReadOnlyList<Diagnostic>? previousDiagnostics = null;
        SizeFigures? previousSize = null;
        string? previousConfig = null;
        for (var i = 0; i <= (count ?? 0); i++)
        {
            var marked = progress.Steps.GetValueOrDefault(i);
            var state = marked?.State ?? "pending";
            if (terminal && !SeriesProgress.FinalStates.Contains(state))
                state = job.Status == JobStatus.Cancelled ? "cancelled" : state == "pending" ? "skipped" : "failed";
            var info = Info(files(i, "info"));
            var subject = i == 0 ? "base " + ShortCommit(job)
                : info.GetValueOrDefault("Subject") ?? marked?.Subject ?? (i <= fromMbox.Count ? Mbox.PlainSubject(fromMbox[i - 1].Subject) : "");
            var author = i == 0 ? null
                : info.TryGetValue("Author", out var name) ? $"{name} <{info.GetValueOrDefault("Email")}>"
                : i <= fromMbox.Count ? fromMbox[i - 1].Author : null;

            var stepLog = files(i, "build.log");
            var diagnosticsFile = files(i, "diagnostics");
            IReadOnlyList<Diagnostic>? diagnostics = diagnosticsFile is null ? null : DiagnosticDiff.StepSet(diagnosticsFile, stepLog ?? "", null);
            var size = SizeFigures.Parse(files(i, "size"));
            var config = files(i, "config");
            var step = new SeriesStep
            {
                Step = i,
                Subject = subject,
                Author = author,
                State = state,
                Seconds = marked?.Seconds,
                Warnings = diagnostics?.Count(d => d.Severity == "warning"),
                Errors = diagnostics?.Count(d => d.Severity == "error"),
                Size = size,
                Log = stepLog is null ? null : $"series/{i:D3}/build.log",
                Boot = files(i, "boot") is { } boot ? BootTest.ParseResult(boot) : null,
            };
            if (diagnostics is not null)
            {
                var errors = diagnostics.Where(d => d.Severity == "error").Take(10).ToList();
                step = step with { FirstErrors = state == "build-failed" ? errors : [] };
                if (previousDiagnostics is not null)
                {
                    var diff = DiagnosticDiff.Between(previousDiagnostics, diagnostics);
                    step = step with
                    {
                        NewWarnings = diff.New.Where(d => d.Severity == "warning").ToList(),
                        FixedWarnings = diff.Fixed.Where(d => d.Severity == "warning").ToList(),
                        NewErrors = diff.New.Where(d => d.Severity == "error").ToList(),
                        FixedErrors = diff.Fixed.Where(d => d.Severity == "error").ToList(),
                    };
                }
                previousDiagnostics = diagnostics;
            }
            if (size is not null)
            {
                if (previousSize is not null && i > 0)
                {
                    step = step with
                    {
                        SizeDelta = new SizeFigures(size.Text - previousSize.Text, size.Data - previousSize.Data, size.Bss - previousSize.Bss),
                        Bloat = files(i, "bloat") is { } bloat ? BloatTable.Parse(bloat) : [],
                    };
                }
                previousSize = size;
            }
            if (config is not null)
            {
                if (previousConfig is not null) step = step with { Config = ConfigDiff.Between(previousConfig, config) };
                previousConfig = config;
            }
            steps.Add(step);
        }
        var failedStep = steps.Any(s => s.State is "build-failed" or "apply-failed" or "failed");
        var result = !terminal ? "running"
            : job.Status == JobStatus.Cancelled ? "cancelled"
            : job.Status == JobStatus.Failed || failedStep ? "failed" : "passed";
        return new SeriesReport { Id = job.Id, Status = job.Status.ToString().ToLowerInvariant(), Result = result, Patches = count, WarmTree = progress.Warm, Steps = steps };
    }

    private static string ShortCommit(JobRecord job) =>
        job.Request.CommitHash is { Length: >= 12 } sha && !sha.Equals("HEAD", StringComparison.OrdinalIgnoreCase) ? sha[..12] : job.Request.Branch;

    /// <summary>git mailinfo's header lines (Author, Email, Subject, Date).</summary>
    private static Dictionary<string, string> Info(string? text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n'))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0) fields[line[..colon]] = new string(line[(colon + 2)..].Where(c => !char.IsControl(c)).ToArray()).Trim();
        }
        return fields;
    }
}

/// <summary>One step: the base (0) or a patch (1…).</summary>
public sealed record SeriesStep
{
    public int Step { get; init; }
    public string Subject { get; init; } = "";
    public string? Author { get; init; }
    /// <summary>pending, applying, building, passed, build-failed, apply-failed, skipped, cancelled.</summary>
    public string State { get; init; } = "pending";
    public int? Seconds { get; init; }
    /// <summary>All warnings and errors of the tree at this step (as a cold build of it prints them).</summary>
    public int? Warnings { get; init; }
    public int? Errors { get; init; }
    public IReadOnlyList<Diagnostic> NewWarnings { get; init; } = [];
    public IReadOnlyList<Diagnostic> FixedWarnings { get; init; } = [];
    public IReadOnlyList<Diagnostic> NewErrors { get; init; } = [];
    public IReadOnlyList<Diagnostic> FixedErrors { get; init; } = [];
    /// <summary>For a step that did not build: its first errors.</summary>
    public IReadOnlyList<Diagnostic> FirstErrors { get; init; } = [];
    public SizeFigures? Size { get; init; }
    public SizeFigures? SizeDelta { get; init; }
    public IReadOnlyList<BloatTable.Row> Bloat { get; init; } = [];
    public ConfigDiff? Config { get; init; }
    public BootResult? Boot { get; init; }
    /// <summary>The step's log, an artifact path of the job.</summary>
    public string? Log { get; init; }
}

/// <summary>vmlinux's text, data and bss (the size tool's Berkeley format).</summary>
public sealed record SizeFigures(long Text, long Data, long Bss)
{
    public static SizeFigures? Parse(string? line)
    {
        var words = (line ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 3
            && long.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            && long.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? new(t, d, b) : null;
    }

    [System.Text.Json.Serialization.JsonIgnore]
    public long Total => Text + Data + Bss;
}
