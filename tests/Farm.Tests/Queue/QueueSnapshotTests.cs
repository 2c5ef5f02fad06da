using System.Text.Json;
using KernelFarm.Actors.Queue;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Serialization;
using Xunit;
using static KernelFarm.Messages.Queue.QueueEvents;

namespace KernelFarm.Tests.Queue;

/// <summary>A snapshot and the events after it give the state that replaying every event gives.</summary>
public sealed class QueueSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A history with every kind of event: first attempts, keys, priorities, hand-overs, withdrawals, retries in back-off.</summary>
    internal static List<IQueueEvent> History(int jobs)
    {
        var events = new List<IQueueEvent>();
        long sequence = 0;
        for (var i = 0; i < jobs; i++)
        {
            var id = $"job-{i}";
            events.Add(new JobQueued(id, QueueStateTests.Request(arch: i % 3 == 0 ? "arm64" : "x86_64", priority: i % 4) with { SubmittedBy = i % 2 == 0 ? "ci" : null },
                i % 5 == 0 ? $"key-{i}" : null, ++sequence, T0.AddSeconds(i)));
            if (i % 7 == 6) events.Add(new JobWithdrawn(id));
            else if (i % 2 == 0)
            {
                events.Add(new JobDispatched(QueueStateTests.PlacementFor(id), 1));
                if (i % 4 == 0) events.Add(new JobHandedOver(id));
                else if (i % 3 == 1) events.Add(new JobRequeued(id, QueueStateTests.Request(), 2, ["srv-1"], T0.AddMinutes(i), ++sequence));
            }
        }
        return events;
    }

    internal static string Canonical(QueueState s) => JsonSerializer.Serialize(s.ToSnapshot(), FarmJson.Options);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(57)]
    [InlineData(120)]
    public void Recovery_from_a_snapshot_and_the_tail_equals_full_replay(int snapshotAfter)
    {
        var events = History(80);
        var replayed = events.Aggregate(QueueState.Empty, (s, e) => s.Apply(e));

        var atSnapshot = events.Take(snapshotAfter).Aggregate(QueueState.Empty, (s, e) => s.Apply(e));
        var recovered = events.Skip(snapshotAfter).Aggregate(QueueState.FromSnapshot(atSnapshot.ToSnapshot()), (s, e) => s.Apply(e));

        Assert.Equal(Canonical(replayed), Canonical(recovered));
        Assert.Equal(replayed.Waiting.Select(w => w.JobId), recovered.Waiting.Select(w => w.JobId));
        Assert.Equal(replayed.NextCandidates(32, T0.AddHours(1)), recovered.NextCandidates(32, T0.AddHours(1)));
        Assert.Equal(replayed.NextRetryAt(T0), recovered.NextRetryAt(T0));
        Assert.Equal(replayed.JobForKey(new IdempotencyScope("ci", "key-10")), recovered.JobForKey(new IdempotencyScope("ci", "key-10")));
        Assert.NotNull(recovered.JobForKey(new IdempotencyScope("ci", "key-10")));
        Assert.True(replayed.WaitingCount > 0 && replayed.DispatchedCount > 0);
    }

    [Fact]
    public void A_snapshot_survives_the_farm_serializer()
    {
        var state = History(40).Aggregate(QueueState.Empty, (s, e) => s.Apply(e));
        var serializer = new FarmMessageSerializer(null!);
        var snapshot = state.ToSnapshot();

        var back = (QueueSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));

        Assert.Equal(Canonical(state), Canonical(QueueState.FromSnapshot(back)));
    }
}
