using KernelFarm.Actors;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;

namespace KernelFarm.Host.Gateway;

/// <summary>The one validator every submission goes through (single jobs and each build of a plan).</summary>
public static class JobValidation
{
    public static JobRequestValidator For(FarmSettings settings) => new(Policy(settings));

    public static JobValidationPolicy Policy(FarmSettings settings) => new(settings.EffectiveOutputRoots, ArchitectureCatalog.Default)
    {
        WebhookAllowedHosts = settings.WebhookAllowedHosts,
        WebhookAddresses = new KernelFarm.Actors.Webhooks.FarmAddresses(settings).Policy(),
        WebhookAllowedHeaders = settings.Webhooks.AllowedHeaders.ToHashSet(StringComparer.OrdinalIgnoreCase),
        StoragePath = settings.ArtifactStoragePath,
    };
}
