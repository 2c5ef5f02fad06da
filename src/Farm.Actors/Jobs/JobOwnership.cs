using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Who may change a job, and what of a job belongs to its owner alone. Anyone with a token may read
/// every job (viewers see the whole farm); cancel and retry change it: a submitter may do that only to
/// jobs its own token submitted (submitted_by), an operator to any job. A retry submits the old
/// request again, so a retry by anyone but the owner must not carry the owner's secrets: the values of
/// build_config.secret_env and the webhooks' headers (a receiver's token, shown as *** in job views).
/// </summary>
public static class JobOwnership
{
    /// <param name="caller">The caller's token name (null: anonymous).</param>
    /// <param name="callerIsOperator">Operators act on every job.</param>
    public static bool MayChange(JobRecord job, string? caller, bool callerIsOperator) =>
        MayChange(job.Request.SubmittedBy, caller, callerIsOperator);

    /// <summary>The same rule for whatever a token submitted (a job, a plan, a bisection) by its submitted_by.</summary>
    public static bool MayChange(string? submittedBy, string? caller, bool callerIsOperator) =>
        callerIsOperator || IsOwner(submittedBy, caller);

    /// <summary>Jobs without submitted_by (from before tokens) have no owner: only operators act on them.</summary>
    public static bool IsOwner(JobRecord job, string? caller) => IsOwner(job.Request.SubmittedBy, caller);

    private static bool IsOwner(string? submittedBy, string? caller) =>
        caller is not null && submittedBy is { } owner && string.Equals(owner, caller, StringComparison.Ordinal);

    /// <summary>The fields of a request that hold its owner's secrets (empty when it has none).</summary>
    public static IReadOnlyList<string> SecretFields(BuildJobRequest request)
    {
        var fields = new List<string>();
        if (request.BuildConfig?.SecretEnv is { Count: > 0 }) fields.Add("build_config.secret_env");
        var hooks = request.Webhooks ?? [];
        for (var i = 0; i < hooks.Count; i++)
            if (hooks[i]?.Headers is { Count: > 0 }) fields.Add($"webhooks[{i}].headers");
        return fields;
    }
}
