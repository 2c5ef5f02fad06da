using System.Text.Json.Nodes;
using KernelFarm.Cli.Jobs;

namespace KernelFarm.Cli.Series;

/// <summary>
/// `series submit` flags: the job's fields (<see cref="JobSpec"/>, over a --file as for `jobs submit`)
/// and the patches, an mbox or a range. A patches flag replaces the file's patches.
/// </summary>
public sealed record SeriesSpec
{
    public JobSpec Job { get; init; } = new();
    /// <summary>--mbox: the mbox file, or "-" for stdin.</summary>
    public string? Mbox { get; init; }
    /// <summary>--range: BASE..HEAD.</summary>
    public string? Range { get; init; }
    public bool ContinueOnFailure { get; init; }
    public bool StepArtifacts { get; init; }

    /// <summary>The POST /api/v1/series body.</summary>
    /// <param name="readMbox">reads --mbox's file (or stdin); called only once the rest is known to be complete</param>
    public JsonObject ToRequest(JsonObject? file, Func<string, string> readMbox)
    {
        if (Mbox is not null && Range is not null)
            throw CliException.Usage("give the patches either as --mbox FILE or as --range BASE..HEAD, not both");
        if (Mbox is null && Range is null && file is null) throw MissingPatches();
        var range = Range is null ? null : SeriesRange.Parse(Range);
        var body = Job.ToRequest(file);
        if (Mbox is not null || range is not null)
        {
            body.Remove("mbox");
            body.Remove("range");
            if (range is not null) body["range"] = range;
            else body["mbox"] = readMbox(Mbox!);
        }
        else
        {
            var fileMbox = IsSet(body["mbox"]);
            var fileRange = IsSet(body["range"]);
            if (!fileMbox && !fileRange) throw MissingPatches();
            if (fileMbox && fileRange)
                throw CliException.Usage("the file sets both mbox and range: keep one, or give --mbox or --range");
        }
        if (ContinueOnFailure) body["continue_on_failure"] = true;
        if (StepArtifacts) body["step_artifacts"] = true;
        return body;
    }

    private static CliException MissingPatches() =>
        CliException.Usage("missing the patches: give --mbox FILE (- for stdin) or --range BASE..HEAD");

    private static bool IsSet(JsonNode? node) => node is not null && Output.Json.Str(node) is not (null or "");
}
