using System.Text.Json.Nodes;
using KernelFarm.Cli.Input;
using KernelFarm.Cli.Jobs;
using KernelFarm.Cli.Servers;
using Xunit;

namespace KernelFarm.Cli.Tests;

public sealed class RequestSpecTests
{
    [Fact]
    public void Job_flags_make_the_api_request()
    {
        var body = new JobSpec
        {
            Repo = "git://127.0.0.1/linux.git", Arch = "x86_64", KernelConfig = "tinyconfig", Toolchain = "gcc-12",
            Fragments = ["CONFIG_X=y"], MakeOpts = ["-j4", "W=1"], Artifacts = ["vmlinux"], Env = ["A=1", "B=x=y", "EMPTY="],
            Priority = 5, TimeoutMinutes = 30,
        }.ToRequest();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"source_repository":"git://127.0.0.1/linux.git","target_architecture":"x86_64","toolchain":"gcc-12","priority":5,
             "build_config":{"kernel_config":"tinyconfig","kconfig_fragments":["CONFIG_X=y"],"extra_make_args":["-j4","W=1"],
               "artifact_patterns":["vmlinux"],"timeout_minutes":30,"custom_env":{"A":"1","B":"x=y","EMPTY":""}}}
            """), body), body.ToJsonString());
    }

    [Fact]
    public void Job_flags_override_the_file_and_env_merges_into_it()
    {
        var file = JsonNode.Parse("""
            {"source_repository":"git://a","target_architecture":"arm64","branch":"dev",
             "build_config":{"kernel_config":"defconfig","extra_make_args":["-k"],"custom_env":{"A":"file","KEEP":"1"}}}
            """)!.AsObject();
        var body = new JobSpec { Arch = "x86_64", MakeOpts = ["-j2"], Env = ["A=flag"] }.ToRequest(file);
        Assert.Equal("x86_64", body["target_architecture"]!.GetValue<string>());
        Assert.Equal("dev", body["branch"]!.GetValue<string>());
        Assert.Equal("defconfig", body["build_config"]!["kernel_config"]!.GetValue<string>());
        Assert.Equal(["-j2"], body["build_config"]!["extra_make_args"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("flag", body["build_config"]!["custom_env"]!["A"]!.GetValue<string>());
        Assert.Equal("1", body["build_config"]!["custom_env"]!["KEEP"]!.GetValue<string>());
        Assert.Equal("arm64", file["target_architecture"]!.GetValue<string>()); // the file's object is left as it was
    }

    [Theory]
    [InlineData(null, "x86_64", "--repo")]
    [InlineData("git://a", null, "--arch")]
    public void A_job_without_repository_or_architecture_is_a_usage_error(string? repo, string? arch, string named)
    {
        var e = Assert.Throws<CliException>(() => new JobSpec { Repo = repo, Arch = arch }.ToRequest());
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(named, e.Message);
    }

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("=value")]
    [InlineData("1ABC=x")]
    [InlineData("A-B=x")]
    public void Bad_env_assignments_are_usage_errors(string assignment)
    {
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => EnvAssignment.Parse(assignment)).ExitCode);
    }

    [Fact]
    public void Server_flags_make_the_registration_body()
    {
        var body = new ServerSpec
        {
            Id = "b1", Ip = "127.0.0.2", Port = 2222, User = "kfbuild", KeyPath = "/k", Fingerprint = "SHA256:abc",
            Arches = ["x86_64", "arm64,riscv64"], Toolchains = ["gcc-12:x86_64,i386", "gcc-12:arm64:aarch64-linux-gnu-"],
            Cores = 8, MemoryMb = 16384, StorageGb = 200, MaxJobs = 2, WorkspaceRoot = "/tmp/builds",
        }.ToRequest();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":"b1","ip_address":"127.0.0.2","ssh_port":2222,"ssh_username":"kfbuild","ssh_key_path":"/k",
             "ssh_host_key_fingerprint":"SHA256:abc","supported_architectures":["x86_64","arm64","riscv64"],
             "toolchains":[{"name":"gcc-12","target_architectures":["x86_64","i386"],"cross_compile":""},
                           {"name":"gcc-12","target_architectures":["arm64"],"cross_compile":"aarch64-linux-gnu-"}],
             "total_cpu_cores":8,"total_memory_mb":16384,"total_storage_gb":200,"max_concurrent_jobs":2,
             "workspace_root":"/tmp/builds","hostname":"127.0.0.2"}
            """), body), body.ToJsonString());
    }

    [Theory]
    [InlineData("gcc-12")]
    [InlineData(":x86_64")]
    [InlineData("gcc-12:")]
    [InlineData("a:b:c:d")]
    public void Bad_toolchain_specs_are_usage_errors(string spec)
    {
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => ToolchainSpec.Parse(spec)).ExitCode);
    }

    [Fact]
    public void A_server_needs_id_address_and_user()
    {
        var e = Assert.Throws<CliException>(() => new ServerSpec { Id = "x", Ip = "10.0.0.1" }.ToRequest());
        Assert.Contains("--user", e.Message);
    }

    [Fact]
    public void A_yaml_server_file_reads_like_the_api_json_with_numbers_booleans_and_quoted_strings()
    {
        const string yaml = """
            id: builder-1
            hostname: builder-1.lab
            ip_address: 127.0.0.2
            ssh_port: 2222
            ssh_username: kfbuild
            ssh_host_key_fingerprint: "SHA256:abc"
            supported_architectures: [x86_64, arm64]
            toolchains:
              - name: gcc-12
                target_architectures: [x86_64]
                cross_compile: ""
              - {name: gcc-12, target_architectures: [arm64], cross_compile: aarch64-linux-gnu-}
            total_cpu_cores: 8
            max_concurrent_jobs: 2
            workspace_root: /tmp/builds
            label: "22"
            flag: true
            nothing: ~
            """;
        var body = DocumentFile.Parse(yaml, "server.yaml");
        Assert.Equal(2222, body["ssh_port"]!.GetValue<long>());
        Assert.Equal("127.0.0.2", body["ip_address"]!.GetValue<string>());
        Assert.Equal("22", body["label"]!.GetValue<string>());
        Assert.True(body["flag"]!.GetValue<bool>());
        Assert.Null(body["nothing"]);
        Assert.Equal("aarch64-linux-gnu-", body["toolchains"]![1]!["cross_compile"]!.GetValue<string>());
        Assert.Equal("", body["toolchains"]![0]!["cross_compile"]!.GetValue<string>());

        var flagsWin = new ServerSpec { MaxJobs = 4 }.ToRequest(body);
        Assert.Equal(4, flagsWin["max_concurrent_jobs"]!.GetValue<int>());
    }

    [Fact]
    public void A_json_file_is_read_as_json()
    {
        var body = DocumentFile.Parse("""{"id": "b", "ssh_port": 22}""", "server.json");
        Assert.Equal(22, body["ssh_port"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("server.yaml", "id: [unclosed")]
    [InlineData("server.json", "{ not json")]
    [InlineData("server.yaml", "- a list\n- at the top")]
    public void Broken_files_are_usage_errors_naming_the_file(string name, string text)
    {
        var e = Assert.Throws<CliException>(() => DocumentFile.Parse(text, name));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(name, e.Message);
    }

    [Theory]
    [InlineData("SHA256:abc=", "SHA256:abc")]
    [InlineData("abc", "SHA256:abc")]
    [InlineData(" sha256:abc ", "SHA256:abc")]
    public void Fingerprints_are_shown_as_the_farm_pins_them(string given, string shown)
    {
        Assert.Equal(shown, Fingerprint.Display(given));
    }
}
