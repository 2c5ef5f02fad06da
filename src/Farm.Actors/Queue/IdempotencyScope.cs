using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Queue;

/// <summary>
/// An Idempotency-Key as the token that sent it: the same key from two tokens names two jobs, and a
/// token never learns of another's job by guessing its key. Jobs queued before submitted_by existed
/// have a null owner: their keys match only submissions without an owner (none, once tokens are on).
/// </summary>
public readonly record struct IdempotencyScope(string? Owner, string Key)
{
    public static IdempotencyScope Of(BuildJobRequest request, string key) => new(request.SubmittedBy, key);
}
