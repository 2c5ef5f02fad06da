using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Webhooks;

namespace KernelFarm.Actors.Validation;

/// <summary>What the farm allows a job to ask for.</summary>
/// <param name="AllowedOutputRoots">Absolute directories a job's output_directory must lie within (segment-aware).</param>
/// <param name="Architectures">The architectures target_architecture may name.</param>
public sealed record JobValidationPolicy(IReadOnlyList<string> AllowedOutputRoots, ArchitectureCatalog Architectures)
{
    /// <summary>Hosts a job's webhooks may call (".example.com" for a domain); empty means any.</summary>
    public IReadOnlyList<string> WebhookAllowedHosts { get; init; } = [];
    /// <summary>Which IP literals a webhook URL may name; the default refuses every non-public address.</summary>
    public WebhookAddressPolicy WebhookAddresses { get; init; } = new([], []);
    /// <summary>Credential and routing headers the farm lets jobs set (Farm:Webhooks:AllowedHeaders).</summary>
    public IReadOnlySet<string> WebhookAllowedHeaders { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    /// <summary>The artifact storage path: an output_directory may be it but nothing inside it (<see cref="Storage.OutputDirectoryRule"/>); null: not checked.</summary>
    public string? StoragePath { get; init; }
}
