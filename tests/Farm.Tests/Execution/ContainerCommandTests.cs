using System.Globalization;
using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>The command lines of container builds (docker and podman from one function) and the wrapper around the build script.</summary>
public sealed class ContainerCommandTests
{
    private const string Image = "localhost/kernelfarm-builder:bookworm";
    private const string Ws = "/srv/builds/job-0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    private const string JobId = "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    private static ContainerSpec Spec(string runtime = ContainerCommand.Podman, double? cpus = null, int? memoryMb = null,
        string image = Image, string jobId = JobId, string workspace = Ws) =>
        new() { Runtime = runtime, Image = image, JobId = jobId, Workspace = workspace, Cpus = cpus, MemoryMb = memoryMb };

    /// <summary>The words without the runtime's name and the user mapping: what docker and podman must share.</summary>
    private static List<string> Common(IReadOnlyList<string> words)
    {
        var list = words.Skip(1).ToList();
        list.Remove("--userns=keep-id");
        var user = list.IndexOf("--user");
        if (user >= 0) list.RemoveRange(user, 2);
        return list;
    }

    [Fact]
    public void Docker_and_rootless_podman_differ_only_in_how_the_workspace_keeps_its_owner()
    {
        var podman = ContainerCommand.Run(Spec(ContainerCommand.Podman, 2, 4096), rootless: true);
        var docker = ContainerCommand.Run(Spec(ContainerCommand.Docker, 2, 4096), rootless: false);

        Assert.Equal("podman", podman[0]);
        Assert.Equal("docker", docker[0]);
        Assert.Contains("--userns=keep-id", podman);
        Assert.DoesNotContain("--user", podman);
        Assert.DoesNotContain("--userns=keep-id", docker);
        Assert.Equal("\"$(id -u):$(id -g)\"", docker[docker.ToList().IndexOf("--user") + 1]);
        Assert.Equal(Common(docker), Common(podman));
    }

    [Fact]
    public void Podman_run_by_root_is_run_like_docker()
    {
        var podman = ContainerCommand.Run(Spec(ContainerCommand.Podman), rootless: false);
        var docker = ContainerCommand.Run(Spec(ContainerCommand.Docker), rootless: false);
        Assert.Equal(docker.Skip(1), podman.Skip(1));
    }

    [Fact]
    public void Docker_ignores_the_rootless_flag()
    {
        Assert.Equal(ContainerCommand.Run(Spec(ContainerCommand.Docker), rootless: false),
            ContainerCommand.Run(Spec(ContainerCommand.Docker), rootless: true));
    }

    [Theory]
    [InlineData(ContainerCommand.Podman)]
    [InlineData(ContainerCommand.Docker)]
    public void The_container_is_removed_on_exit_named_after_the_job_and_mounts_the_workspace_at_its_own_path(string runtime)
    {
        var words = ContainerCommand.Run(Spec(runtime), rootless: true).ToList();

        Assert.Equal(["run", "--rm", "--name", $"'kfarm-{JobId}'"], words.Skip(1).Take(4));
        Assert.Contains("--pull=never", words);
        Assert.Contains("--network=none", words);
        Assert.Contains("--cap-drop=all", words);
        Assert.Equal($"'{Ws}/source:{Ws}/source'", words[words.IndexOf("--volume") + 1]);
        Assert.DoesNotContain($"'{Ws}:{Ws}'", words);
        Assert.Equal($"'{Ws}'", words[words.IndexOf("--workdir") + 1]);
        // the image, then the shim that runs the command appended by the caller
        var image = words.IndexOf($"'{Image}'");
        Assert.True(image > words.IndexOf("--workdir"));
        Assert.Equal(["bash", "-c"], words.Skip(image + 1).Take(2));
        Assert.Equal("kfarm-container", words[^1]);
    }

    [Theory]
    [InlineData(ContainerCommand.Podman)]
    [InlineData(ContainerCommand.Docker)]
    public void Limits_become_cpus_and_memory_and_none_means_no_flag(string runtime)
    {
        var limited = ContainerCommand.Run(Spec(runtime, cpus: 1.5, memoryMb: 2048), rootless: true).ToList();
        Assert.Equal("1.5", limited[limited.IndexOf("--cpus") + 1]);
        Assert.Equal("2048m", limited[limited.IndexOf("--memory") + 1]);

        var free = ContainerCommand.Run(Spec(runtime), rootless: true);
        Assert.DoesNotContain("--cpus", free);
        Assert.DoesNotContain("--memory", free);
    }

    [Fact]
    public void Cpus_are_written_with_a_dot_whatever_the_culture()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var words = ContainerCommand.Run(Spec(cpus: 0.25), rootless: true).ToList();
            Assert.Equal("0.25", words[words.IndexOf("--cpus") + 1]);
        }
        finally { CultureInfo.CurrentCulture = before; }
    }

    [Theory]
    [InlineData("x;touch /tmp/pwned")]
    [InlineData("$(id)")]
    [InlineData("-v")]
    [InlineData("--privileged")]
    [InlineData("debian bookworm")]
    [InlineData("Debian")]
    [InlineData("debian:bookworm\n")]
    [InlineData("")]
    public void Unsafe_image_names_are_refused_even_past_validation(string image)
    {
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(image: image), rootless: true));
    }

    [Fact]
    public void Unknown_runtimes_job_ids_that_cannot_name_a_container_and_odd_workspaces_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(runtime: "sh"), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(jobId: "a;b"), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(jobId: "-x"), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(workspace: "/srv/a:/etc"), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(workspace: "relative"), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(cpus: 0), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Run(Spec(memoryMb: -1), rootless: true));
        Assert.Throws<ArgumentException>(() => ContainerCommand.Remove("rm", "kfarm-x"));
    }

    [Fact]
    public void Remove_kills_at_once_and_tolerates_a_missing_container()
    {
        Assert.Equal("podman rm -f -i -t 0 'kfarm-x' >/dev/null 2>&1", ContainerCommand.Remove(ContainerCommand.Podman, "kfarm-x"));
        Assert.Equal("docker rm -f 'kfarm-x' >/dev/null 2>&1", ContainerCommand.Remove(ContainerCommand.Docker, "kfarm-x"));
    }

    [Fact]
    public void The_name_is_kfarm_and_the_job_id()
    {
        Assert.Equal($"kfarm-{JobId}", ContainerCommand.NameFor(JobId));
        Assert.Equal($"kfarm-{JobId}", Spec().Name);
    }

    // ---- from the request and the placement ----

    private static BuildServer Server(string? runtime = "podman", double? cpus = null, int? memoryMb = null) => new()
    {
        Id = "s", Hostname = "s", IpAddress = "127.0.0.1", SshUsername = "kfbuild", SshHostKeyFingerprint = "SHA256:x",
        ContainerRuntime = runtime, ContainerImages = [new ContainerImage(Image, [new Toolchain("gcc-12", ["x86_64"])])],
        ContainerDefaultCpus = cpus, ContainerDefaultMemoryMb = memoryMb,
    };

    [Fact]
    public void The_jobs_limits_win_over_the_servers_defaults()
    {
        var placement = new Placement(JobId, Server(cpus: 4, memoryMb: 8192), new Toolchain("gcc-12", ["x86_64"]), Image);
        var own = ContainerSpec.For(JobId, new BuildConfig { ContainerCpus = 2, ContainerMemoryMb = 1024 }, placement, Ws)!;
        Assert.Equal((2.0, 1024), (own.Cpus!.Value, own.MemoryMb!.Value));
        var defaults = ContainerSpec.For(JobId, new BuildConfig(), placement, Ws)!;
        Assert.Equal((4.0, 8192), (defaults.Cpus!.Value, defaults.MemoryMb!.Value));
        Assert.Equal(("podman", Image, Ws), (defaults.Runtime, defaults.Image, defaults.Workspace));

        var unlimited = ContainerSpec.For(JobId, new BuildConfig(), placement with { Server = Server() }, Ws)!;
        Assert.Null(unlimited.Cpus);
        Assert.Null(unlimited.MemoryMb);
    }

    [Fact]
    public void A_host_placement_has_no_container()
    {
        var placement = new Placement(JobId, Server(), new Toolchain("gcc-12", ["x86_64"]));
        Assert.Null(ContainerSpec.For(JobId, new BuildConfig { ContainerImage = null }, placement, Ws));
    }
}
