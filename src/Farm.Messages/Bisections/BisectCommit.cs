namespace KernelFarm.Messages.Bisections;

/// <summary>A commit of the bisected range: index 0 is the good end, the last index the bad end.</summary>
public sealed record BisectCommit(int Index, string Sha, string Author, string Subject);
