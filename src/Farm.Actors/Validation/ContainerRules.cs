using System.Text.RegularExpressions;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Validation;

/// <summary>Container builds: a job's image and limits, a server's runtime, images and default limits.</summary>
public static partial class ContainerRules
{
    public const double MinCpus = 0.01, MaxCpus = 4096;
    public const int MinMemoryMb = 64, MaxMemoryMb = 16 * 1024 * 1024;
    public const int MaxImages = 50, MaxImageToolchains = 16, MaxArchitectures = 32;

    // The host toolchains' rules (ServerValidator), with \z: no trailing newline.
    [GeneratedRegex(@"^(gcc|clang|llvm)(-[0-9]{1,3})?\z")] private static partial Regex ToolchainPattern();
    [GeneratedRegex(@"^([A-Za-z0-9_.]+-)*\z")] private static partial Regex CrossPattern();

    public static void CheckJob(BuildConfig config, List<ValidationError> errors)
    {
        if (config.ContainerImage is { Length: > ContainerImageName.MaxLength })
            errors.Add(new("build_config.container_image", $"must be at most {ContainerImageName.MaxLength} characters"));
        else if (config.ContainerImage is { } image && !ContainerImageName.IsValid(image))
            errors.Add(new("build_config.container_image", ContainerImageName.Rule));
        CheckLimits(config.ContainerCpus, config.ContainerMemoryMb, "build_config.container_cpus", "build_config.container_memory_mb", errors);
    }

    public static void CheckServer(BuildServer s, ArchitectureCatalog arches, List<ValidationError> errors)
    {
        var images = s.ContainerImages;
        if (s.ContainerRuntime is { } runtime && !ContainerCommand.Runtimes.Contains(runtime))
            errors.Add(new("container_runtime", "must be docker or podman, or omitted for a server without containers"));
        if (images is null) { errors.Add(new("container_images", "must be a list (omit it for none), not null")); return; }
        if (s.ContainerRuntime is null && images.Count > 0)
            errors.Add(new("container_runtime", "must be docker or podman when container_images are declared"));
        if (s.ContainerRuntime is not null && images.Count == 0)
            errors.Add(new("container_images", "must list at least one image when container_runtime is set"));
        if (images.Count > MaxImages) errors.Add(new("container_images", $"at most {MaxImages} images"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(images.Count, MaxImages); i++)
        {
            var field = $"container_images[{i}]";
            if (images[i] is not { } image) { errors.Add(new(field, "must be an object with a name and toolchains")); continue; }
            if (!ContainerImageName.IsValid(image.Name)) errors.Add(new(field + ".name", ContainerImageName.Rule));
            else if (!seen.Add(image.Name)) errors.Add(new(field + ".name", $"{image.Name} is declared twice"));
            if (image.Toolchains is not { Count: > 0 }) { errors.Add(new(field + ".toolchains", "must list the toolchains in the image (at least one)")); continue; }
            if (image.Toolchains.Count > MaxImageToolchains) { errors.Add(new(field + ".toolchains", $"must have at most {MaxImageToolchains} entries")); continue; }
            for (var j = 0; j < image.Toolchains.Count; j++)
            {
                var tf = $"{field}.toolchains[{j}]";
                if (image.Toolchains[j] is not { } t) { errors.Add(new(tf, "must be a toolchain object")); continue; }
                if (t.Name is null || !ToolchainPattern().IsMatch(t.Name)) errors.Add(new(tf + ".name", "must be gcc-N, clang-N or llvm-N"));
                if (t.TargetArchitectures is not { Count: > 0 and <= MaxArchitectures } || !t.TargetArchitectures.All(a => a is not null && arches.TryGet(a, out _)))
                    errors.Add(new(tf + ".target_architectures", $"must list one or more of: {string.Join(", ", arches.Names)}"));
                if (t.CrossCompile is null || t.CrossCompile.Length > 64 || !CrossPattern().IsMatch(t.CrossCompile))
                    errors.Add(new(tf + ".cross_compile", "must be empty or a prefix like aarch64-linux-gnu-"));
            }
        }
        CheckLimits(s.ContainerDefaultCpus, s.ContainerDefaultMemoryMb, "container_default_cpus", "container_default_memory_mb", errors);
    }

    private static void CheckLimits(double? cpus, int? memoryMb, string cpusField, string memoryField, List<ValidationError> errors)
    {
        if (cpus is { } c && !(c >= MinCpus && c <= MaxCpus))
            errors.Add(new(cpusField, $"must be between {MinCpus} and {MaxCpus} (CPUs, fractions allowed), or omitted for no limit"));
        if (memoryMb is < MinMemoryMb or > MaxMemoryMb)
            errors.Add(new(memoryField, $"must be between {MinMemoryMb} and {MaxMemoryMb} MiB, or omitted for no limit"));
    }
}
