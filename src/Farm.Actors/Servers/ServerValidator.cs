using System.Net;
using System.Text.RegularExpressions;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Validation;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Servers;

/// <summary>Validates a server registration; field names are the API's snake_case.</summary>
public static partial class ServerValidator
{
    /// <summary>List bounds: a registration is stored and re-read on every placement, so no list may grow without limit.</summary>
    public const int MaxToolchains = 64, MaxArchitectures = 32, MaxWorkspaceRoots = 64;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")] private static partial Regex IdPattern();
    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")] private static partial Regex HostnamePattern();
    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")] private static partial Regex UserPattern();
    [GeneratedRegex("^(SHA256:)?[A-Za-z0-9+/]{43}=?$")] private static partial Regex FingerprintPattern();
    [GeneratedRegex("^(gcc|clang|llvm)(-[0-9]{1,3})?$")] private static partial Regex ToolchainPattern();
    [GeneratedRegex("^([A-Za-z0-9_.]+-)*$")] private static partial Regex CrossPattern();

    public static IReadOnlyList<ValidationError> Validate(BuildServer? s, ArchitectureCatalog arches)
    {
        var errors = new List<ValidationError>();
        if (s is null) return [new("request", "a JSON body describing the build server is required")];
        void Check(bool ok, string field, string message) { if (!ok) errors.Add(new(field, message)); }

        Check(s.Id is not null && IdPattern().IsMatch(s.Id), "id", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        Check(s.Hostname is not null && HostnamePattern().IsMatch(s.Hostname), "hostname", "must be a host name (letters, digits, '.', '-')");
        Check(s.IpAddress is not null && IPAddress.TryParse(s.IpAddress, out _), "ip_address", "must be an IPv4 or IPv6 address");
        Check(s.SshUsername is not null && UserPattern().IsMatch(s.SshUsername), "ssh_username", "must be a POSIX user name");
        Check(s.SshPort is > 0 and < 65536, "ssh_port", "must be between 1 and 65535");
        Check(s.SshKeyPath is not null && SafePath.IsSafeAbsolute(s.SshKeyPath) && File.Exists(s.SshKeyPath),
            "ssh_key_path", "must be the absolute path of a private key file readable by the farm");
        Check(s.SshHostKeyFingerprint is not null && FingerprintPattern().IsMatch(s.SshHostKeyFingerprint),
            "ssh_host_key_fingerprint", "must be the server's SHA256 host key fingerprint as 'ssh-keygen -lf' prints it (SHA256:…)");
        Check(s.SupportedArchitectures is { Count: > 0 } && s.SupportedArchitectures.All(a => a is not null && arches.TryGet(a, out _)),
            "supported_architectures", $"must list one or more of: {string.Join(", ", arches.Names)}");
        Check(s.SupportedArchitectures is not { Count: > MaxArchitectures }, "supported_architectures", $"must have at most {MaxArchitectures} entries");
        Check(s.Toolchains is not { Count: > MaxToolchains }, "toolchains", $"must have at most {MaxToolchains} entries");
        Check(s.AllowedWorkspaceRoots is not { Count: > MaxWorkspaceRoots }, "allowed_workspace_roots", $"must have at most {MaxWorkspaceRoots} entries");
        for (var i = 0; i < Math.Min(s.Toolchains?.Count ?? 0, MaxToolchains); i++)
        {
            var t = s.Toolchains![i];
            if (t is null) { errors.Add(new($"toolchains[{i}]", "must be a toolchain object")); continue; }
            Check(t.Name is not null && ToolchainPattern().IsMatch(t.Name), $"toolchains[{i}].name", "must be gcc-N, clang-N or llvm-N");
            Check(t.TargetArchitectures is { Count: > 0 and <= MaxArchitectures } && t.TargetArchitectures.All(a => a is not null && arches.TryGet(a, out _)),
                $"toolchains[{i}].target_architectures", $"must list one or more of: {string.Join(", ", arches.Names)}");
            Check(t.CrossCompile is not null && t.CrossCompile.Length <= 64 && CrossPattern().IsMatch(t.CrossCompile),
                $"toolchains[{i}].cross_compile", "must be empty or a prefix like aarch64-linux-gnu-");
        }
        Check(s.Toolchains is { Count: > 0 } || (s.Toolchains is not null && s.ContainerImages is { Count: > 0 }), "toolchains",
            "must list at least one toolchain (or container_images must)");
        Check(s.TotalCpuCores is > 0 and <= 4096, "total_cpu_cores", "must be between 1 and 4096");
        Check(s.TotalMemoryMb >= 0, "total_memory_mb", "must not be negative");
        Check(s.TotalStorageGb >= 0, "total_storage_gb", "must not be negative");
        Check(s.MaxConcurrentJobs is > 0 and <= 1024, "max_concurrent_jobs", "must be between 1 and 1024");
        Check(s.WorkspaceRoot is not null && SafePath.IsSafeAbsolute(s.WorkspaceRoot), "workspace_root",
            "must be an absolute path of letters, digits and '._/-' without '..'");
        for (var i = 0; i < Math.Min(s.AllowedWorkspaceRoots?.Count ?? 0, MaxWorkspaceRoots); i++)
            Check(s.AllowedWorkspaceRoots![i] is { } root && SafePath.IsSafeAbsolute(root), $"allowed_workspace_roots[{i}]",
                "must be an absolute path of letters, digits and '._/-' without '..'");
        Check(s.CacheDirectory is null || SafePath.IsSafeAbsolute(s.CacheDirectory), "cache_directory",
            "must be null or an absolute path of letters, digits and '._/-' without '..'");
        Check(s.GitCacheLimitMb is >= 0 and <= 16_777_216, "git_cache_limit_mb", "must be between 0 (no git cache kept) and 16777216");
        Check(s.CcacheLimitMb is >= 0 and <= 16_777_216, "ccache_limit_mb", "must be between 0 (ccache not used) and 16777216");
        ContainerRules.CheckServer(s, arches, errors);
        return errors;
    }
}
