using System.Text;
using System.Text.RegularExpressions;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Series;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Validation;

/// <summary>A patch series (POST /api/v1/series): an mbox or a range, built on the server itself, image target only.</summary>
public static partial class SeriesRules
{
    /// <summary>Inside the default request body limit (1 MiB) with JSON's escapes, and a cluster message's frame.</summary>
    public const int MaxMboxBytes = 512 * 1024;
    public const int MaxPatches = 100;

    public static void Check(BuildJobRequest request, List<ValidationError> errors)
    {
        if (request.Series is not { } series) return;
        var hasMbox = !string.IsNullOrEmpty(series.Mbox);
        var hasRange = !string.IsNullOrEmpty(series.Range);
        if (hasMbox == hasRange)
            errors.Add(new("mbox", "give the patches either as an mbox or as a range BASE..HEAD, not both and not neither"));
        if (hasMbox) CheckMbox(series.Mbox!, errors);
        if (hasRange) CheckRange(series.Range!, request, errors);
        if (request.BuildConfig is { } config)
        {
            if (!string.IsNullOrEmpty(config.ContainerImage))
                errors.Add(new("build_config.container_image", "a series builds on the server itself: leave it out"));
            if (config.Targets is { Count: > 0 } targets && !(targets.Count == 1 && targets[0] == BuildTargets.Kernel))
                errors.Add(new("build_config.targets", $"a series builds the kernel image only: omit it or give [\"{BuildTargets.Kernel}\"]"));
            if (!string.IsNullOrEmpty(config.BuildDirectory))
                errors.Add(new("build_config.build_directory", "a series builds in its own workspace: leave it out"));
            if (config.KeepWorkspace)
                errors.Add(new("build_config.keep_workspace", "a series keeps its built tree for the next series of its kind, not its workspace: leave it out"));
        }
    }

    private static void CheckMbox(string mbox, List<ValidationError> errors)
    {
        if (Encoding.UTF8.GetByteCount(mbox) > MaxMboxBytes)
        {
            errors.Add(new("mbox", $"must be at most {MaxMboxBytes} bytes"));
            return;
        }
        if (mbox.Contains('\0'))
        {
            errors.Add(new("mbox", "must not contain NUL characters"));
            return;
        }
        var patches = Mbox.Patches(mbox);
        if (patches.Count == 0)
            errors.Add(new("mbox", "holds no patch: expected what git format-patch --stdout writes (messages starting with a \"From <commit> …\" line)"));
        else if (patches.Count > MaxPatches)
            errors.Add(new("mbox", $"must hold at most {MaxPatches} patches (it holds {patches.Count})"));
        else
        {
            for (var i = 0; i < patches.Count; i++)
            {
                if (patches[i].Subject.Length == 0) errors.Add(new($"mbox[{i + 1}]", "has no Subject: header"));
                else if (!patches[i].HasDiff) errors.Add(new($"mbox[{i + 1}]", $"\"{Trim(patches[i].Subject)}\" has no diff"));
            }
        }
    }

    private static void CheckRange(string range, BuildJobRequest request, List<ValidationError> errors)
    {
        var m = RangeForm().Match(range);
        if (!m.Success)
        {
            errors.Add(new("range", "must be BASE..HEAD with two full 40-digit commit ids"));
            return;
        }
        if (m.Groups[1].Value == m.Groups[2].Value)
            errors.Add(new("range", "names no patch: BASE and HEAD are the same commit"));
        if (!string.Equals(request.CommitHash, m.Groups[1].Value, StringComparison.OrdinalIgnoreCase))
            errors.Add(new("commit_hash", "must be the range's BASE (or be left out)"));
        if (request.BuildConfig is { GitDepth: not 0 })
            errors.Add(new("build_config.git_depth", "must be 0 (full history) for a range: its patches are made from the history"));
    }

    /// <summary>The two commits of a valid range.</summary>
    public static (string Base, string Head) ParseRange(string range)
    {
        var m = RangeForm().Match(range);
        return m.Success ? (m.Groups[1].Value, m.Groups[2].Value) : throw new ArgumentException("not a BASE..HEAD range", nameof(range));
    }

    private static string Trim(string s) => s.Length > 80 ? s[..80] + "…" : s;

    [GeneratedRegex("^([0-9a-f]{40})\\.\\.([0-9a-f]{40})$")]
    private static partial Regex RangeForm();
}
