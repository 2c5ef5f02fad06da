namespace KernelFarm.Messages.Bisections;

/// <summary>
/// A step's verdict, as <c>git bisect</c> names them; <see cref="Superseded"/>: its job was cancelled
/// because other steps had already moved the search past its commit.
/// </summary>
public enum Verdict { Good, Bad, Skip, Superseded }
