using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using KernelFarm.Tests.Queue;
using Xunit;

namespace KernelFarm.Tests.Jobs;

public sealed class BuildLogFactsTests
{
    private const string Log = """
        ==> kfarm: step preparing
        ==> kfarm: fact git_commit=0123abcd
        ==> kfarm: fact compiler=gcc (Debian 12.2.0-14) 12.2.0
        ==> kfarm: target config PASS 3
        init/main.c:12:5: warning: unused variable 'x' [-Wunused-variable]
        drivers/a.c:1:2: error: expected ';' before '}' token
        drivers/b.c:9:1: fatal error: b.h: No such file or directory
        WARNING: modpost: missing MODULE_LICENSE() in drivers/c.o
        ERROR: modpost: "foo" [drivers/d.ko] undefined!
        make[2]: *** [scripts/Makefile.build:250: drivers/a.o] Error 1
        ==> kfarm: fact vmlinux_size=100 20 3
        ==> kfarm: target kernel FAIL 41
        ==> kfarm: fact git_commit=fedcba98
        ==> kfarm: target kernel PASS 40
        ==> kfarm: target bogus
        """;

    [Fact]
    public void Facts_targets_and_diagnostics_are_read_from_the_log()
    {
        var facts = BuildLogFacts.Parse(Log);
        Assert.Equal("fedcba98", facts.Fact("git_commit")); // the last report wins
        Assert.Equal("gcc (Debian 12.2.0-14) 12.2.0", facts.Fact("compiler"));
        Assert.Null(facts.Fact("kernelrelease"));
        Assert.Equal([("config", true, 3), ("kernel", true, 40)], facts.Targets.Select(t => (t.Name, t.Passed, t.Seconds)));
        Assert.Equal(3, facts.Errors);   // error, fatal error, modpost ERROR (make's own "Error 1" is not a diagnostic)
        Assert.Equal(2, facts.Warnings);
    }

    [Fact]
    public void Metadata_uses_tuxmake_names_and_the_reported_facts()
    {
        var job = new JobRecord
        {
            Id = "job-1", Request = QueueStateTests.Request("arm64") with { SubmittedBy = "ci" }, Status = JobStatus.Completed, ServerId = "arm",
            Toolchain = "gcc-12", Artifacts = [new ArtifactEntry("Image", 10, new string('a', 64))],
        };
        var meta = (Dictionary<string, object?>)JobMetadata.Describe(job, null, BuildLogFacts.Parse(Log), ["config", "kernel"], 2);

        var build = (Dictionary<string, object?>)meta["build"]!;
        Assert.Equal("arm64", build["target_arch"]);
        Assert.Equal(new[] { "config", "kernel" }, build["targets"]);
        Assert.Equal(2, build["jobs"]);
        var results = (Dictionary<string, object?>)meta["results"]!;
        Assert.Equal("PASS", results["status"]);
        Assert.Equal(3, results["errors"]);
        var compiler = (Dictionary<string, object?>)meta["compiler"]!;
        Assert.Equal("gcc", compiler["name"]);
        Assert.Equal("12.2.0", compiler["version"]);
        Assert.Equal("fedcba98", ((Dictionary<string, object?>)meta["git"]!)["commit"]);
        var vmlinux = (Dictionary<string, object?>)meta["vmlinux"]!;
        Assert.Equal((100L, 20L, 3L), ((long)vmlinux["text_size"]!, (long)vmlinux["data_size"]!, (long)vmlinux["bss_size"]!));
        Assert.Equal("ssh", build["runtime"]);
        Assert.Null(meta["runtime"]);
        Assert.Null(meta["ccache"]);
        var cached = (Dictionary<string, object?>)JobMetadata.Describe(job, null,
            BuildLogFacts.Parse(Log + "\n==> kfarm: fact ccache=ccache version 4.7.5\n==> kfarm: fact ccache_hits=1520\n==> kfarm: fact ccache_misses=3\n"), ["kernel"], 2);
        Assert.Equal(("ccache version 4.7.5", 1520, 3), ((string)((Dictionary<string, object?>)cached["ccache"]!)["version"]!,
            (int)((Dictionary<string, object?>)cached["ccache"]!)["hits"]!, (int)((Dictionary<string, object?>)cached["ccache"]!)["misses"]!));
    }

    [Fact]
    public void Metadata_of_a_container_build_names_the_runtime_and_image()
    {
        var job = new JobRecord { Id = "job-2", Request = QueueStateTests.Request("x86_64"), Status = JobStatus.Completed, ServerId = "c" };
        var container = new KernelFarm.Actors.Execution.ContainerSpec
        {
            Runtime = "podman", Image = "localhost/kernelfarm-builder:bookworm", JobId = "job-2", Workspace = "/w/job-2", Cpus = 1.5, MemoryMb = 2048,
        };
        var meta = (Dictionary<string, object?>)JobMetadata.Describe(job, null, BuildLogFacts.Parse(Log), ["config", "kernel"], 2, container);

        Assert.Equal("podman", ((Dictionary<string, object?>)meta["build"]!)["runtime"]);
        var runtime = (Dictionary<string, object?>)meta["runtime"]!;
        Assert.Equal(("podman", "localhost/kernelfarm-builder:bookworm", 1.5, 2048),
            ((string)runtime["name"]!, (string)runtime["image_name"]!, (double)runtime["cpus"]!, (int)runtime["memory_mb"]!));
    }
}
