using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Servers;

public sealed class ServerValidatorTests : IDisposable
{
    private const string Fingerprint = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
    private readonly string _keyDir = Directory.CreateTempSubdirectory("kfarm-key-").FullName;
    private readonly string _key;

    public ServerValidatorTests()
    {
        _key = Path.Combine(_keyDir, "id_ed25519");
        File.WriteAllText(_key, "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n");
    }

    public void Dispose() => Directory.Delete(_keyDir, recursive: true);

    private BuildServer Valid() => new()
    {
        Id = "build-01.lab",
        Hostname = "build-01.example.org",
        IpAddress = "192.168.1.100",
        SshUsername = "builder",
        SshPort = 22,
        SshKeyPath = _key,
        SshHostKeyFingerprint = Fingerprint,
        SupportedArchitectures = ["x86_64", "arm64"],
        Toolchains =
        [
            new Toolchain("gcc-12", ["x86_64"]),
            new Toolchain("gcc-12", ["arm64"], "aarch64-linux-gnu-"),
            new Toolchain("clang-17", ["x86_64", "arm64"]),
        ],
        TotalCpuCores = 32,
        TotalMemoryMb = 65536,
        TotalStorageGb = 1000,
        MaxConcurrentJobs = 4,
        WorkspaceRoot = "/srv/builds",
        AllowedWorkspaceRoots = ["/mnt/fast-storage"],
    };

    private static IReadOnlyList<Actors.Validation.ValidationError> Validate(BuildServer? s) =>
        ServerValidator.Validate(s, ArchitectureCatalog.Default);

    [Fact]
    public void A_valid_registration_passes()
    {
        var errors = Validate(Valid());
        Assert.True(errors.Count == 0, string.Join("; ", errors));
    }

    [Theory]
    [InlineData("192.168.1.100")]
    [InlineData("::1")]
    [InlineData("2001:db8::42")]
    public void Ip_addresses_of_both_families_pass(string ip) => Assert.Empty(Validate(Valid() with { IpAddress = ip }));

    [Theory]
    [InlineData("SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8")]
    [InlineData("nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8")]
    [InlineData("SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8=")]
    public void Fingerprints_with_and_without_prefix_or_padding_pass(string fp) =>
        Assert.Empty(Validate(Valid() with { SshHostKeyFingerprint = fp }));

    [Fact]
    public void Minimal_registration_passes()
    {
        var s = Valid() with { SshPort = 65535, TotalMemoryMb = 0, TotalStorageGb = 0, AllowedWorkspaceRoots = [], MaxConcurrentJobs = 1, TotalCpuCores = 1 };
        Assert.Empty(Validate(s));
    }

    [Fact]
    public void Missing_body_is_one_request_error()
    {
        var e = Assert.Single(Validate(null));
        Assert.Equal("request", e.Field);
    }

    public static TheoryData<string, string> InvalidFields() => new()
    {
        { "id-empty", "id" },
        { "id-space", "id" },
        { "id-leading-dash", "id" },
        { "id-too-long", "id" },
        { "id-null", "id" },
        { "hostname-underscore", "hostname" },
        { "hostname-injection", "hostname" },
        { "hostname-null", "hostname" },
        { "ip-name", "ip_address" },
        { "ip-bad", "ip_address" },
        { "ip-null", "ip_address" },
        { "user-upper", "ssh_username" },
        { "user-injection", "ssh_username" },
        { "user-too-long", "ssh_username" },
        { "port-0", "ssh_port" },
        { "port-65536", "ssh_port" },
        { "port-negative", "ssh_port" },
        { "key-missing-file", "ssh_key_path" },
        { "key-relative", "ssh_key_path" },
        { "key-null", "ssh_key_path" },
        { "key-directory", "ssh_key_path" },
        { "fp-md5", "ssh_host_key_fingerprint" },
        { "fp-short", "ssh_host_key_fingerprint" },
        { "fp-empty", "ssh_host_key_fingerprint" },
        { "arch-empty", "supported_architectures" },
        { "arch-unknown", "supported_architectures" },
        { "arch-case", "supported_architectures" },
        { "toolchains-empty", "toolchains" },
        { "toolchain-name", "toolchains[1].name" },
        { "toolchain-name-injection", "toolchains[0].name" },
        { "toolchain-arch-unknown", "toolchains[2].target_architectures" },
        { "toolchain-arch-empty", "toolchains[0].target_architectures" },
        { "toolchain-cross-bad", "toolchains[1].cross_compile" },
        { "toolchain-cross-no-dash", "toolchains[1].cross_compile" },
        { "toolchain-cross-too-long", "toolchains[1].cross_compile" },
        { "cores-0", "total_cpu_cores" },
        { "cores-too-many", "total_cpu_cores" },
        { "memory-negative", "total_memory_mb" },
        { "storage-negative", "total_storage_gb" },
        { "max-jobs-0", "max_concurrent_jobs" },
        { "max-jobs-too-many", "max_concurrent_jobs" },
        { "root-relative", "workspace_root" },
        { "root-dotdot", "workspace_root" },
        { "root-slash", "workspace_root" },
        { "root-space", "workspace_root" },
        { "allowed-root-relative", "allowed_workspace_roots[1]" },
        { "allowed-root-trailing", "allowed_workspace_roots[0]" },
    };

    private BuildServer Broken(string name)
    {
        var v = Valid();
        Toolchain[] T(Func<Toolchain[], Toolchain[]> change) => change(v.Toolchains.ToArray());
        return name switch
        {
            "id-empty" => v with { Id = "" },
            "id-space" => v with { Id = "build 01" },
            "id-leading-dash" => v with { Id = "-build" },
            "id-too-long" => v with { Id = new string('a', 64) },
            "id-null" => v with { Id = null! },
            "hostname-underscore" => v with { Hostname = "build_01" },
            "hostname-injection" => v with { Hostname = "host;rm -rf /" },
            "hostname-null" => v with { Hostname = null! },
            "ip-name" => v with { IpAddress = "build-01.example.org" },
            "ip-bad" => v with { IpAddress = "300.1.1.1" },
            "ip-null" => v with { IpAddress = null! },
            "user-upper" => v with { SshUsername = "Builder" },
            "user-injection" => v with { SshUsername = "root;id" },
            "user-too-long" => v with { SshUsername = new string('u', 33) },
            "port-0" => v with { SshPort = 0 },
            "port-65536" => v with { SshPort = 65536 },
            "port-negative" => v with { SshPort = -22 },
            "key-missing-file" => v with { SshKeyPath = _key + ".missing" },
            "key-relative" => v with { SshKeyPath = "keys/id_ed25519" },
            "key-null" => v with { SshKeyPath = null },
            "key-directory" => v with { SshKeyPath = _keyDir },
            "fp-md5" => v with { SshHostKeyFingerprint = "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48" },
            "fp-short" => v with { SshHostKeyFingerprint = "SHA256:abc" },
            "fp-empty" => v with { SshHostKeyFingerprint = "" },
            "arch-empty" => v with { SupportedArchitectures = [] },
            "arch-unknown" => v with { SupportedArchitectures = ["x86_64", "sparc"] },
            "arch-case" => v with { SupportedArchitectures = ["X86_64"] },
            "toolchains-empty" => v with { Toolchains = [] },
            "toolchain-name" => v with { Toolchains = T(t => { t[1] = t[1] with { Name = "icc-1" }; return t; }) },
            "toolchain-name-injection" => v with { Toolchains = T(t => { t[0] = t[0] with { Name = "gcc-12;id" }; return t; }) },
            "toolchain-arch-unknown" => v with { Toolchains = T(t => { t[2] = t[2] with { TargetArchitectures = ["x86_64", "mips"] }; return t; }) },
            "toolchain-arch-empty" => v with { Toolchains = T(t => { t[0] = t[0] with { TargetArchitectures = [] }; return t; }) },
            "toolchain-cross-bad" => v with { Toolchains = T(t => { t[1] = t[1] with { CrossCompile = "aarch64 linux-" }; return t; }) },
            "toolchain-cross-no-dash" => v with { Toolchains = T(t => { t[1] = t[1] with { CrossCompile = "aarch64-linux-gnu" }; return t; }) },
            "toolchain-cross-too-long" => v with { Toolchains = T(t => { t[1] = t[1] with { CrossCompile = string.Concat(Enumerable.Repeat("abcdefghi-", 7)) }; return t; }) },
            "cores-0" => v with { TotalCpuCores = 0 },
            "cores-too-many" => v with { TotalCpuCores = 4097 },
            "memory-negative" => v with { TotalMemoryMb = -1 },
            "storage-negative" => v with { TotalStorageGb = -1 },
            "max-jobs-0" => v with { MaxConcurrentJobs = 0 },
            "max-jobs-too-many" => v with { MaxConcurrentJobs = 1025 },
            "root-relative" => v with { WorkspaceRoot = "builds" },
            "root-dotdot" => v with { WorkspaceRoot = "/srv/../etc" },
            "root-slash" => v with { WorkspaceRoot = "/" },
            "root-space" => v with { WorkspaceRoot = "/srv/my builds" },
            "allowed-root-relative" => v with { AllowedWorkspaceRoots = ["/mnt/a", "mnt/b"] },
            "allowed-root-trailing" => v with { AllowedWorkspaceRoots = ["/mnt/a/"] },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Each_invalid_field_is_named(string change, string field)
    {
        var errors = Validate(Broken(change));
        var e = Assert.Single(errors);
        Assert.Equal(field, e.Field);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Several_errors_are_all_reported()
    {
        var errors = Validate(Valid() with { Id = "", SshPort = 0, TotalCpuCores = 0 });
        Assert.Equal(["id", "ssh_port", "total_cpu_cores"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Null_lists_are_errors_not_exceptions()
    {
        var errors = Validate(Valid() with { SupportedArchitectures = null!, Toolchains = null!, AllowedWorkspaceRoots = null! });
        Assert.Equal(["supported_architectures", "toolchains"], errors.Select(e => e.Field));
    }

    [Fact]
    public void A_null_toolchain_entry_is_an_error_not_an_exception()
    {
        var errors = Validate(Valid() with { Toolchains = [null!] });
        Assert.StartsWith("toolchains[0]", Assert.Single(errors).Field);
    }

    [Fact]
    public void Null_toolchain_fields_are_errors_not_exceptions()
    {
        var errors = Validate(Valid() with { Toolchains = [new Toolchain(null!, null!, null!)] });
        Assert.Equal(["toolchains[0].name", "toolchains[0].target_architectures", "toolchains[0].cross_compile"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Every_list_of_a_registration_is_bounded_and_names_its_field()
    {
        string[] manyArchitectures = [.. Enumerable.Repeat("x86_64", ServerValidator.MaxArchitectures + 1)];
        Assert.Contains(Validate(Valid() with { SupportedArchitectures = manyArchitectures }), e => e.Field == "supported_architectures");
        Assert.Contains(Validate(Valid() with { Toolchains = [.. Enumerable.Repeat(new Toolchain("gcc-12", ["x86_64"]), ServerValidator.MaxToolchains + 1)] }),
            e => e.Field == "toolchains");
        Assert.Contains(Validate(Valid() with { AllowedWorkspaceRoots = [.. Enumerable.Repeat("/srv/x", ServerValidator.MaxWorkspaceRoots + 1)] }),
            e => e.Field == "allowed_workspace_roots");
        Assert.Contains(Validate(Valid() with { Toolchains = [new Toolchain("gcc-12", manyArchitectures)] }), e => e.Field == "toolchains[0].target_architectures");
        // at the bounds: valid
        Assert.Empty(Validate(Valid() with
        {
            SupportedArchitectures = [.. Enumerable.Repeat("x86_64", ServerValidator.MaxArchitectures)],
            Toolchains = [.. Enumerable.Repeat(new Toolchain("gcc-12", ["x86_64"]), ServerValidator.MaxToolchains)],
            AllowedWorkspaceRoots = [.. Enumerable.Repeat("/srv/x", ServerValidator.MaxWorkspaceRoots)],
        }));
    }
}
