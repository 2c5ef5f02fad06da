using System.Diagnostics.CodeAnalysis;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using J = KernelFarm.Messages.Serialization.Journal.JobEventContracts;
using P = KernelFarm.Messages.Serialization.Journal.PoolEventContracts;
using Q = KernelFarm.Messages.Serialization.Journal.QueueEventContracts;
using PL = KernelFarm.Messages.Serialization.Journal.PlanEventContracts;
using KernelFarm.Messages.Plans;
using KernelFarm.Messages.Bisections;
using B = KernelFarm.Messages.Serialization.Journal.BisectionEventContracts;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// The table of everything the farm persists: one row per domain type, with its manifest. Manifests
/// are written once and never change meaning; a new shape gets a new manifest (".v2") and the old
/// one keeps a reader that maps it to the current domain type (docs/upgrading.md). The second
/// manifest of each row is the CLR-name manifest that releases up to 8457cc2 wrote.
/// </summary>
public static class JournalFormats
{
    public static readonly IReadOnlyList<JournalFormat> All =
    [
        // jobs (persistence id job-<id>)
        JournalFormat.Of<BuildJobEvents.Created, J.Created>("job-created.v1", J.Created.From, c => c.ToDomain(), "Jobs.BuildJobEvents+Created"),
        JournalFormat.Of<BuildJobEvents.Assigned, J.Assigned>("job-assigned.v1", J.Assigned.From, c => c.ToDomain(), "Jobs.BuildJobEvents+Assigned"),
        JournalFormat.Of<BuildJobEvents.StepStarted, J.StepStarted>("job-step-started.v1", J.StepStarted.From, c => c.ToDomain(), "Jobs.BuildJobEvents+StepStarted"),
        JournalFormat.Of<BuildJobEvents.Launched, J.Launched>("job-launched.v1", J.Launched.From, c => c.ToDomain(), "Jobs.BuildJobEvents+Launched"),
        JournalFormat.Of<BuildJobEvents.BootTested, J.BootTested>("job-boot-tested.v1", J.BootTested.From, c => c.ToDomain(), "Jobs.BuildJobEvents+BootTested"),
        JournalFormat.Of<BuildJobEvents.Completed, J.Completed>("job-completed.v1", J.Completed.From, c => c.ToDomain(), "Jobs.BuildJobEvents+Completed"),
        JournalFormat.Of<BuildJobEvents.Failed, J.Failed>("job-failed.v1", J.Failed.From, c => c.ToDomain(), "Jobs.BuildJobEvents+Failed"),
        JournalFormat.Of<BuildJobEvents.CancelRequested, J.CancelRequested>("job-cancel-requested.v1", J.CancelRequested.From, c => c.ToDomain(), "Jobs.BuildJobEvents+CancelRequested"),
        JournalFormat.Of<BuildJobEvents.AttemptFailed, J.AttemptFailed>("job-attempt-failed.v1", J.AttemptFailed.From, c => c.ToDomain(), "Jobs.BuildJobEvents+AttemptFailed"),
        JournalFormat.Of<BuildJobEvents.Cancelled, J.Cancelled>("job-cancelled.v1", J.Cancelled.From, c => c.ToDomain(), "Jobs.BuildJobEvents+Cancelled"),
        JournalFormat.Of<BuildJobEvents.WebhookDone, J.WebhookDone>("job-webhook-done.v1", J.WebhookDone.From, c => c.ToDomain(), "Jobs.BuildJobEvents+WebhookDone"),
        // added after 8457cc2: no type-name alias
        JournalFormat.Of<BuildJobEvents.FailureDecided, J.FailureDecided>("job-failure-decided.v1", J.FailureDecided.From, c => c.ToDomain()),
        JournalFormat.Of<BuildJobEvents.KcidbDelivered, J.KcidbDelivered>("job-kcidb-delivered.v1", J.KcidbDelivered.From, c => c.ToDomain()),
        // queue (persistence id build-queue)
        JournalFormat.Of<QueueEvents.JobQueued, Q.JobQueued>("queue-job-queued.v1", Q.JobQueued.From, c => c.ToDomain(), "Queue.QueueEvents+JobQueued"),
        JournalFormat.Of<QueueEvents.JobDispatched, Q.JobDispatched>("queue-job-dispatched.v1", Q.JobDispatched.From, c => c.ToDomain(), "Queue.QueueEvents+JobDispatched"),
        JournalFormat.Of<QueueEvents.JobRequeued, Q.JobRequeued>("queue-job-requeued.v1", Q.JobRequeued.From, c => c.ToDomain(), "Queue.QueueEvents+JobRequeued"),
        JournalFormat.Of<QueueEvents.JobHandedOver, Q.JobHandedOver>("queue-job-handed-over.v1", Q.JobHandedOver.From, c => c.ToDomain(), "Queue.QueueEvents+JobHandedOver"),
        JournalFormat.Of<QueueEvents.JobWithdrawn, Q.JobWithdrawn>("queue-job-withdrawn.v1", Q.JobWithdrawn.From, c => c.ToDomain(), "Queue.QueueEvents+JobWithdrawn"),
        // server pool (persistence id server-pool)
        JournalFormat.Of<ServerPoolEvents.ServerRegistered, P.ServerRegistered>("pool-server-registered.v1", P.ServerRegistered.From, c => c.ToDomain(), "Servers.ServerPoolEvents+ServerRegistered"),
        JournalFormat.Of<ServerPoolEvents.ServerRemoved, P.ServerRemoved>("pool-server-removed.v1", P.ServerRemoved.From, c => c.ToDomain(), "Servers.ServerPoolEvents+ServerRemoved"),
        JournalFormat.Of<ServerPoolEvents.DrainChanged, P.DrainChanged>("pool-drain-changed.v1", P.DrainChanged.From, c => c.ToDomain(), "Servers.ServerPoolEvents+DrainChanged"),
        JournalFormat.Of<ServerPoolEvents.SlotsReserved, P.SlotsReserved>("pool-slots-reserved.v1", P.SlotsReserved.From, c => c.ToDomain(), "Servers.ServerPoolEvents+SlotsReserved"),
        JournalFormat.Of<ServerPoolEvents.SlotReleased, P.SlotReleased>("pool-slot-released.v1", P.SlotReleased.From, c => c.ToDomain(), "Servers.ServerPoolEvents+SlotReleased"),
        // plans (persistence id plan-<id>; added after 8457cc2)
        JournalFormat.Of<PlanEvents.Accepted, PL.Accepted>("plan-accepted.v1", PL.Accepted.From, c => c.ToDomain()),
        JournalFormat.Of<PlanEvents.BuildQueued, PL.BuildQueued>("plan-build-queued.v1", PL.BuildQueued.From, c => c.ToDomain()),
        JournalFormat.Of<PlanEvents.CancelRequested, PL.CancelRequested>("plan-cancel-requested.v1", PL.CancelRequested.From, c => c.ToDomain()),
        JournalFormat.Of<PlanEvents.Ended, PL.Ended>("plan-ended.v1", PL.Ended.From, c => c.ToDomain()),
        JournalFormat.Of<PlanEvents.WebhookDone, PL.WebhookDone>("plan-webhook-done.v1", PL.WebhookDone.From, c => c.ToDomain()),
        // bisections (persistence id bisection-<id>)
        JournalFormat.Of<BisectionEvents.Accepted, B.Accepted>("bisection-accepted.v1", B.Accepted.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.StepPlanned, B.StepPlanned>("bisection-step-planned.v1", B.StepPlanned.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.StepQueued, B.StepQueued>("bisection-step-queued.v1", B.StepQueued.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.RangeListed, B.RangeListed>("bisection-range-listed.v1", B.RangeListed.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.StepJudged, B.StepJudged>("bisection-step-judged.v1", B.StepJudged.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.CancelRequested, B.CancelRequested>("bisection-cancel-requested.v1", B.CancelRequested.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.Ended, B.Ended>("bisection-ended.v1", B.Ended.From, c => c.ToDomain()),
        JournalFormat.Of<BisectionEvents.WebhookDone, B.WebhookDone>("bisection-webhook-done.v1", B.WebhookDone.From, c => c.ToDomain()),
        // snapshots (they replace the events they cover, so they read across releases as events do)
        JournalFormat.Of<QueueSnapshot, SnapshotContracts.Queue>("queue-snapshot.v1", SnapshotContracts.Queue.From, c => c.ToDomain()),
        JournalFormat.Of<PoolSnapshot, SnapshotContracts.Pool>("pool-snapshot.v1", SnapshotContracts.Pool.From, c => c.ToDomain()),
    ];

    private static readonly Dictionary<Type, JournalFormat> ByType = All.Where(f => f.Writes).ToDictionary(f => f.DomainType);

    private static readonly Dictionary<string, JournalFormat> ByManifest =
        All.SelectMany(f => f.ReadAliases.Prepend(f.Manifest).Select(m => (m, f))).ToDictionary(x => x.m, x => x.f, StringComparer.Ordinal);

    public static bool TryWriter(Type domainType, [NotNullWhen(true)] out JournalFormat? format) => ByType.TryGetValue(domainType, out format);

    public static bool TryReader(string manifest, [NotNullWhen(true)] out JournalFormat? format) => ByManifest.TryGetValue(manifest, out format);
}
