using KernelFarm.Actors.Execution;

namespace KernelFarm.Actors.Validation;

/// <summary>What the farm allows a job to ask for.</summary>
/// <param name="AllowedOutputRoots">Absolute directories a job's output_directory must lie within (segment-aware).</param>
/// <param name="Architectures">The architectures target_architecture may name.</param>
public sealed record JobValidationPolicy(IReadOnlyList<string> AllowedOutputRoots, ArchitectureCatalog Architectures)
{
    /// <summary>Hosts a job's webhooks may call (".example.com" for a domain); empty means any.</summary>
    public IReadOnlyList<string> WebhookAllowedHosts { get; init; } = [];
    /// <summary>The artifact storage path: an output_directory may be it but nothing inside it (<see cref="Storage.OutputDirectoryRule"/>); null: not checked.</summary>
    public string? StoragePath { get; init; }
}
