using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Servers;
using KernelFarm.Tests.Execution;
using Xunit;

namespace KernelFarm.Tests.Servers;

/// <summary>
/// The probe's container check, run for real in bash and sh with a stand-in runtime first on PATH
/// (named podman and docker) that knows the images listed in a file. The real podman is checked
/// over SSH in the integration tests (ContainerBuildTests).
/// </summary>
public sealed class ContainerDetectionTests : IDisposable
{
    private const string Builder = "localhost/kernelfarm-builder:bookworm";
    private const string Absent = "localhost/kernelfarm-missing:1";

    /// <summary>Logs each argument as &lt;arg&gt;, so a test sees how the words arrived.</summary>
    private const string FakeRuntime = """
        #!/bin/bash
        here=$(dirname "$0")
        { printf '<%s>' "$@"; echo; } >> "$here/args.log"
        case "$1" in
          --version) printf '%s version 9.9.9\nsecond line\n' "$(basename "$0")"; exit 0 ;;
          image)
            if grep -qxF -- "$3" "$here/images"; then [ "$2" = inspect ] && echo '[{"Id": "sha256:0"}]'; exit 0; fi
            echo "Error: $3: image not known" >&2; exit 1 ;;
        esac
        exit 125
        """;

    private readonly TempDir _dir = new("kfarm-containers-");
    private readonly string _bin, _empty;

    public ContainerDetectionTests()
    {
        _bin = _dir.Combine("bin");
        _empty = _dir.Combine("empty");
        Directory.CreateDirectory(_bin);
        Directory.CreateDirectory(_empty);
        foreach (var runtime in ContainerCommand.Runtimes)
        {
            var path = Path.Combine(_bin, runtime);
            File.WriteAllText(path, FakeRuntime.Replace("\r", "", StringComparison.Ordinal) + "\n");
            LocalShell.MustRun("chmod", ["+x", path]);
        }
        File.WriteAllText(Path.Combine(_bin, "images"), Builder + "\n");
    }

    public void Dispose() => _dir.Dispose();

    private static BuildServer Server(string? runtime, params string[] images) =>
        PlacementStrategyTests.Server("a") with
        {
            ContainerRuntime = runtime,
            ContainerImages = images.Select(i => new ContainerImage(i, [new Toolchain("gcc-12", ["x86_64"])])).ToList(),
        };

    /// <summary>Runs a command in <paramref name="shell"/> with PATH set first (the fake runtimes, or nothing at all).</summary>
    private static ProcessResult Run(string command, string path, string shell = LocalShell.Bash) =>
        LocalShell.Run(shell, ["-c", $"PATH={ShellQuote.Quote(path)}; export PATH; {command}"]);

    private string Args => File.ReadAllText(Path.Combine(_bin, "args.log"));

    // ---- Command ----

    [Theory]
    [InlineData(ContainerCommand.Podman, "<image><exists><" + Builder + ">")]
    [InlineData(ContainerCommand.Docker, "<image><inspect><" + Builder + ">")]
    public void The_runtime_reports_its_version_and_each_declared_image_present_or_missing(string runtime, string builderCheck)
    {
        var r = Run(ContainerDetection.Command(Server(runtime, Builder, Absent)), _bin + ":/usr/bin:/bin");

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith(ContainerDetection.Section + "\n", r.StdoutText);
        Assert.DoesNotContain("sha256:0", r.StdoutText); // docker inspect's JSON goes nowhere
        Assert.Equal("", r.Stderr); // nor do the runtime's complaints
        var found = ContainerDetection.Parse(r.StdoutText);
        Assert.True(found.RuntimeFound);
        Assert.Equal($"{runtime} version 9.9.9", found.RuntimeVersion); // the first line only
        Assert.Equal([Builder], found.PresentImages);
        Assert.Equal([Absent], found.MissingImages);
        Assert.Contains(builderCheck, Args);
    }

    [Theory]
    [InlineData(LocalShell.Bash)]
    [InlineData("/bin/sh")]
    public void A_missing_runtime_is_reported_and_the_command_still_succeeds(string shell)
    {
        var server = Server(ContainerCommand.Podman, Builder, Absent);
        var r = Run(ContainerDetection.Command(server), _empty, shell); // nothing on PATH: only builtins run

        Assert.Equal(0, r.ExitCode);
        var found = ContainerDetection.Parse(r.StdoutText);
        Assert.False(found.RuntimeFound);
        Assert.Null(found.RuntimeVersion);
        Assert.Empty(found.PresentImages);
        Assert.Equal([Builder, Absent], ContainerDetection.Missing(server, found)); // none can be used
    }

    [Fact]
    public void Image_names_reach_the_runtime_as_one_word_each_and_run_nothing()
    {
        var pwned = _dir.Combine("pwned");
        string[] hostile = [$"x'; touch {pwned}; echo '", $"$(touch {pwned})", $"`touch {pwned}` a b"];
        var r = Run(ContainerDetection.Command(Server(ContainerCommand.Podman, hostile)), _bin + ":/usr/bin:/bin", "/bin/sh");

        Assert.Equal(0, r.ExitCode);
        Assert.False(File.Exists(pwned));
        foreach (var name in hostile) Assert.Contains($"<image><exists><{name}>", Args);
        Assert.Empty(ContainerDetection.Parse(r.StdoutText).MissingImages); // not image names: ignored when read back
    }

    [Fact]
    public void Each_image_is_checked_once()
    {
        Run(ContainerDetection.Command(Server(ContainerCommand.Podman, Builder, Builder)), _bin + ":/usr/bin:/bin");
        Assert.Single(Args.Split('\n'), l => l.Contains(Builder, StringComparison.Ordinal));
    }

    [Fact]
    public void A_server_without_a_runtime_checks_nothing() =>
        Assert.Equal(":", ContainerDetection.Command(Server(null, Builder)));

    [Fact]
    public void An_unknown_runtime_is_refused() =>
        Assert.Throws<ArgumentException>(() => ContainerDetection.Command(Server("lxc", Builder)));

    // ---- the whole probe command ----

    [Fact]
    public void The_probe_command_keeps_toolchains_and_containers_apart()
    {
        var server = Server(ContainerCommand.Podman, Builder, Absent);
        var r = Run(ServerProbe.Command(server), _bin + ":" + Environment.GetEnvironmentVariable("PATH"), "/bin/sh");

        Assert.Equal(0, r.ExitCode);
        var (toolchains, containers, _) = ServerProbe.ParseOutput(server, r.StdoutText);
        Assert.Contains(toolchains, t => t.Name.StartsWith("gcc-", StringComparison.Ordinal)); // this machine has gcc
        Assert.Equal("podman version 9.9.9", containers!.RuntimeVersion);
        Assert.Equal([Builder], containers.PresentImages);
        Assert.Equal([Absent], containers.MissingImages);
    }

    [Fact]
    public void Probe_output_without_a_container_section_reads_as_a_missing_runtime_only_when_one_is_declared()
    {
        const string output = "x86_64\ngcc-12 12\n";
        var (toolchains, none, _) = ServerProbe.ParseOutput(Server(null), output);
        Assert.Equal("gcc-12", Assert.Single(toolchains).Name);
        Assert.Null(none);

        var (_, containers, _) = ServerProbe.ParseOutput(Server(ContainerCommand.Podman, Builder), output);
        Assert.False(containers!.RuntimeFound);
    }

    [Fact]
    public void Container_lines_are_not_taken_for_compilers_nor_compilers_for_images()
    {
        var output = $"x86_64\ngcc-12 12\n{ContainerDetection.Section}\nkfarm-runtime-version podman version 4.3.1\ngcc-13 13\nkfarm-image-present {Builder}\n";
        var (toolchains, containers, _) = ServerProbe.ParseOutput(Server(ContainerCommand.Podman, Builder), output);
        Assert.Equal(["gcc-12"], toolchains.Select(t => t.Name));
        Assert.Equal("podman version 4.3.1", containers!.RuntimeVersion);
        Assert.Equal([Builder], containers.PresentImages);
        Assert.Empty(containers.MissingImages);
    }

    // ---- Parse ----

    [Fact]
    public void Parse_ignores_garbage_and_invalid_names_and_keeps_each_image_once()
    {
        var found = ContainerDetection.Parse($"""
            {ContainerDetection.Section}
            WARN[0000] some podman warning on stdout
            kfarm-runtime-version podman version 4.3.1
            kfarm-image-present {Builder}
            kfarm-image-present {Builder}
            kfarm-image-missing {Absent}
            kfarm-image-missing two words
            kfarm-image-missing -rf
            kfarm-image-missing
            kfarm-image-present{Absent}
            kfarm-unknown {Absent}
            kfarm-image-missing {Builder}
            """.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal("podman version 4.3.1", found.RuntimeVersion);
        Assert.True(found.RuntimeFound);
        Assert.Equal([Builder], found.PresentImages);
        Assert.Equal([Absent], found.MissingImages); // one found present is not missing
    }

    [Theory]
    [InlineData("", false, null)]
    [InlineData("total garbage\n", false, null)]
    [InlineData("kfarm-runtime-missing\n", false, null)]
    [InlineData("kfarm-runtime-version\n", true, null)] // there, but it printed no version
    [InlineData("kfarm-runtime-version  Docker version 27.1.1, build 6312585 \n", true, "Docker version 27.1.1, build 6312585")]
    [InlineData("kfarm-runtime-version podman version 4.3.1\nkfarm-runtime-missing\n", false, null)]
    public void Parse_tells_whether_the_runtime_was_found(string output, bool found, string? version)
    {
        var d = ContainerDetection.Parse(output);
        Assert.Equal(found, d.RuntimeFound);
        Assert.Equal(version, d.RuntimeVersion);
    }

    [Fact]
    public void Missing_is_every_declared_image_not_found_present()
    {
        var server = Server(ContainerCommand.Podman, Builder, Absent);
        Assert.Equal([Absent], ContainerDetection.Missing(server, new DetectedContainers("v", true, [Builder], [Absent])));
        Assert.Equal([Absent], ContainerDetection.Missing(server, new DetectedContainers("v", true, [Builder], []))); // not reported either way
        Assert.Equal([Builder, Absent], ContainerDetection.Missing(server, new DetectedContainers(null, false, [Builder], [])));
    }
}
