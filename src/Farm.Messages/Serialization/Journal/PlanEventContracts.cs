using KernelFarm.Messages.Plans;
using E = KernelFarm.Messages.Plans.PlanEvents;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>The journal shapes of <see cref="PlanEvents"/> (version 1).</summary>
public static class PlanEventContracts
{
    public sealed record Build
    {
        public int Index { get; init; }
        public string Path { get; init; } = "";
        public string Group { get; init; } = "";
        public string Name { get; init; } = "";
        public string TargetArch { get; init; } = "";
        public string Toolchain { get; init; } = "";
        public IReadOnlyList<string> Kconfig { get; init; } = [];
        public string? JobId { get; init; }
        public RequestContract? Request { get; init; }
        public string? Unsupported { get; init; }

        public static Build From(PlanBuild b) => new()
        {
            Index = b.Index, Path = b.Path, Group = b.Group, Name = b.Name, TargetArch = b.TargetArch, Toolchain = b.Toolchain,
            Kconfig = b.Kconfig, JobId = b.JobId, Request = b.Request is null ? null : RequestContract.From(b.Request), Unsupported = b.Unsupported,
        };

        public PlanBuild ToDomain() => new()
        {
            Index = Index, Path = Path, Group = Group, Name = Name, TargetArch = TargetArch, Toolchain = Toolchain,
            Kconfig = Kconfig ?? [], JobId = JobId, Request = Request?.ToDomain(), Unsupported = Unsupported,
        };
    }

    public sealed record Accepted
    {
        public string PlanId { get; init; } = "";
        public string? Name { get; init; }
        public string? Description { get; init; }
        public string GitRepo { get; init; } = "";
        public string GitRef { get; init; } = "";
        public string? GitSha { get; init; }
        public string? SubmittedBy { get; init; }
        public IReadOnlyList<Build> Builds { get; init; } = [];
        public IReadOnlyList<WebhookContract> Webhooks { get; init; } = [];
        public DateTimeOffset At { get; init; }

        public static Accepted From(E.Accepted e) => new()
        {
            PlanId = e.PlanId, Name = e.Name, Description = e.Description, GitRepo = e.GitRepo, GitRef = e.GitRef, GitSha = e.GitSha,
            SubmittedBy = e.SubmittedBy, Builds = e.Builds.Select(Build.From).ToList(), Webhooks = e.Webhooks.Select(WebhookContract.From).ToList(), At = e.At,
        };

        public E.Accepted ToDomain() =>
            new(PlanId, Name, Description, GitRepo, GitRef, GitSha, SubmittedBy, (Builds ?? []).Select(b => b.ToDomain()).ToList(), At)
            {
                Webhooks = (Webhooks ?? []).Select(w => w.ToDomain()).ToList(),
            };
    }

    public sealed record BuildQueued
    {
        public int Index { get; init; }
        public DateTimeOffset At { get; init; }
        public static BuildQueued From(E.BuildQueued e) => new() { Index = e.Index, At = e.At };
        public E.BuildQueued ToDomain() => new(Index, At);
    }

    public sealed record CancelRequested
    {
        public DateTimeOffset At { get; init; }
        public static CancelRequested From(E.CancelRequested e) => new() { At = e.At };
        public E.CancelRequested ToDomain() => new(At);
    }

    public sealed record Ended
    {
        public string Result { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public static Ended From(E.Ended e) => new() { Result = e.Result, At = e.At };
        public E.Ended ToDomain() => new(Result, At);
    }

    public sealed record WebhookDone
    {
        public WebhookDeliveryContract Delivery { get; init; } = new();
        public static WebhookDone From(E.WebhookDone e) => new() { Delivery = WebhookDeliveryContract.From(e.Delivery) };
        public E.WebhookDone ToDomain() => new((Delivery ?? new()).ToDomain());
    }
}
