using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Validation;

/// <summary>build_config.boot_test: only where the architecture has a boot profile, and only when the kernel is built.</summary>
public static class BootTestRules
{
    public const string Field = "build_config.boot_test";

    public static void Check(BuildJobRequest request, ArchitectureCatalog architectures, List<ValidationError> errors)
    {
        if (request.BuildConfig is not { BootTest: true } config) return;
        var bootable = architectures.Names.Where(n => architectures.TryGet(n, out var p) && p.Boot is not null).ToList();
        if (!string.IsNullOrEmpty(request.TargetArchitecture) && architectures.TryGet(request.TargetArchitecture, out var arch) && arch.Boot is null)
            errors.Add(new(Field, $"is not supported for {request.TargetArchitecture}; boot tests run for: {string.Join(", ", bootable)}"));
        if (config.Targets is { Count: > 0 } targets && !targets.Contains(BuildTargets.Kernel))
            errors.Add(new(Field, $"needs the {BuildTargets.Kernel} target: build_config.targets leaves it out"));
    }
}
