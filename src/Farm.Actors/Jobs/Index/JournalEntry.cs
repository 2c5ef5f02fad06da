namespace KernelFarm.Actors.Jobs.Index;

/// <summary>One event as the read journal delivers it: its place in the journal (the ordering column), whose it is, what it is.</summary>
public sealed record JournalEntry(long Ordering, string PersistenceId, object Event);
