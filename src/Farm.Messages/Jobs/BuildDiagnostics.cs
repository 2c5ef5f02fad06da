namespace KernelFarm.Messages.Jobs;

/// <summary>A build log's compiler and linker diagnostics, counted the way TuxMake counts them (metadata.json's results.warnings/errors).</summary>
public sealed record BuildDiagnostics(int Warnings, int Errors);
