using System.Text.Json;
using KernelFarm.Actors.Queue;
using KernelFarm.Actors.Servers;
using KernelFarm.Messages.Jobs;
using KernelFarm.Messages.Serialization;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Servers;

/// <summary>Placement of container builds: only on servers that declare the image, or that have a named toolchain only in an image.</summary>
public sealed class ContainerPlacementTests
{
    private const string Bookworm = "localhost/kernelfarm-builder:bookworm", Trixie = "localhost/kernelfarm-builder:trixie";
    private static readonly Toolchain Gcc12 = new("gcc-12", ["x86_64"]);
    private static readonly Toolchain Gcc14 = new("gcc-14", ["x86_64"]);
    private static readonly Toolchain Gcc12Arm = new("gcc-12", ["arm64"], "aarch64-linux-gnu-");

    private static BuildServer Host(string id, int maxJobs = 2) => PlacementStrategyTests.Server(id, arches: ["x86_64", "arm64"], toolchains: [Gcc12], maxJobs: maxJobs);

    private static BuildServer WithImages(string id, string runtime = "podman", int maxJobs = 2) => Host(id, maxJobs) with
    {
        ContainerRuntime = runtime,
        ContainerImages = [new ContainerImage(Bookworm, [Gcc12, Gcc12Arm]), new ContainerImage(Trixie, [Gcc14])],
    };

    private static JobRequirements Job(string? image = null, string? toolchain = null, string arch = "x86_64", string? root = null) =>
        new(arch, toolchain, root, null, image);

    private static ServerCapacity Free(BuildServer s, int inUse = 0) => new(s, inUse);

    [Fact]
    public void A_job_naming_an_image_goes_only_to_a_server_declaring_it_even_a_busier_one()
    {
        var placement = PlacementStrategy.Choose([Free(Host("idle")), Free(WithImages("busy"), inUse: 1)], "j", Job(Bookworm));

        Assert.NotNull(placement);
        Assert.Equal("busy", placement.Server.Id);
        Assert.Equal(Bookworm, placement.ContainerImage);
        Assert.Equal(Gcc12, placement.Toolchain);
    }

    [Fact]
    public void A_server_without_the_image_or_without_a_runtime_is_not_eligible()
    {
        Assert.Null(PlacementStrategy.Choose([Free(Host("h"))], "j", Job(Bookworm)));
        Assert.Null(PlacementStrategy.Choose([Free(WithImages("c"))], "j", Job("localhost/other:1")));
        Assert.Null(ContainerPlacement.Offer(WithImages("c") with { ContainerRuntime = null }, Job(Bookworm)));
    }

    [Fact]
    public void The_image_must_have_the_named_toolchain_for_the_architecture()
    {
        Assert.Equal(Gcc14, ContainerPlacement.Offer(WithImages("c"), Job(Trixie, "gcc-14"))!.Toolchain);
        Assert.Null(ContainerPlacement.Offer(WithImages("c"), Job(Trixie, "gcc-12")));
        Assert.Null(ContainerPlacement.Offer(WithImages("c"), Job(Trixie, arch: "arm64")));
        var cross = ContainerPlacement.Offer(WithImages("c"), Job(Bookworm, arch: "arm64"))!;
        Assert.Equal((Gcc12Arm, Bookworm), (cross.Toolchain, cross.ContainerImage));
    }

    [Fact]
    public void A_job_naming_an_image_runs_in_it_even_where_the_host_has_the_toolchain()
    {
        var offer = ContainerPlacement.Offer(WithImages("c"), Job(Bookworm, "gcc-12"));
        Assert.Equal(Bookworm, offer!.ContainerImage);
    }

    [Fact]
    public void A_toolchain_the_server_has_only_in_an_image_takes_the_job_into_that_image()
    {
        var placement = PlacementStrategy.Choose([Free(Host("h")), Free(WithImages("c"))], "j", Job(toolchain: "gcc-14"));

        Assert.Equal(("c", Trixie, "gcc-14"), (placement!.Server.Id, placement.ContainerImage, placement.Toolchain.Name));
    }

    [Fact]
    public void The_host_toolchain_is_preferred_to_an_image_with_the_same_one()
    {
        var offer = ContainerPlacement.Offer(WithImages("c"), Job(toolchain: "gcc-12"));
        Assert.Equal((Gcc12, (string?)null), (offer!.Toolchain, offer.ContainerImage));
    }

    [Fact]
    public void A_job_naming_neither_an_image_nor_a_toolchain_never_goes_into_a_container()
    {
        var onlyImages = WithImages("c") with { Toolchains = [] };
        Assert.Null(ContainerPlacement.Offer(onlyImages, Job()));
        Assert.Null(PlacementStrategy.Choose([Free(onlyImages)], "j", Job()));
        Assert.Null(PlacementStrategy.Choose([Free(WithImages("c"))], "j", Job())!.ContainerImage);
    }

    [Fact]
    public void Container_jobs_still_need_a_free_slot_and_allowed_paths()
    {
        Assert.Null(PlacementStrategy.Choose([Free(WithImages("c", maxJobs: 1), inUse: 1)], "j", Job(Bookworm)));
        Assert.Null(ContainerPlacement.Offer(WithImages("c"), Job(Bookworm, root: "/elsewhere")));
        Assert.Null(PlacementStrategy.Choose([new ServerCapacity(WithImages("c"), 0, Draining: true)], "j", Job(Bookworm)));
    }

    [Fact]
    public void Docker_servers_are_placed_like_podman_servers()
    {
        var placement = PlacementStrategy.Choose([Free(WithImages("d", runtime: "docker"))], "j", Job(Bookworm));
        Assert.Equal(("d", Bookworm), (placement!.Server.Id, placement.ContainerImage));
    }

    [Fact]
    public void A_retry_avoids_the_failed_server_when_another_declares_the_image()
    {
        var placement = PlacementStrategy.Choose([Free(WithImages("a")), Free(WithImages("b")), Free(Host("h"))], "j", Job(Bookworm), ["a"]);
        Assert.Equal("b", placement!.Server.Id);
    }

    // ---- why not ----

    [Fact]
    public void An_image_no_server_declares_is_blamed_on_container_image()
    {
        var why = PlacementStrategy.Infeasibility([Host("h"), WithImages("c")], Job("localhost/missing:1"));
        Assert.Equal("build_config.container_image", why!.Value.Field);
        Assert.Contains("localhost/missing:1", why.Value.Reason);
    }

    [Fact]
    public void An_image_without_the_toolchain_is_blamed_on_the_toolchain_or_architecture()
    {
        Assert.Equal("toolchain", PlacementStrategy.Infeasibility([WithImages("c")], Job(Trixie, "clang-17"))!.Value.Field);
        Assert.Equal("target_architecture", PlacementStrategy.Infeasibility([WithImages("c")], Job(Trixie, arch: "arm64"))!.Value.Field);
    }

    [Fact]
    public void Container_jobs_that_some_server_can_run_are_feasible()
    {
        Assert.Null(PlacementStrategy.Infeasibility([Host("h"), WithImages("c")], Job(Bookworm)));
        Assert.Null(PlacementStrategy.Infeasibility([Host("h"), WithImages("c")], Job(toolchain: "gcc-14")));
    }

    // ---- through the queue and the journal ----

    [Fact]
    public void The_queue_asks_for_placements_with_the_jobs_image()
    {
        var state = QueueState.Empty;
        var request = new BuildJobRequest
        {
            SourceRepository = "git://x/y.git", Branch = "master", CommitHash = "HEAD", TargetArchitecture = "x86_64",
            BuildConfig = new BuildConfig { ContainerImage = Bookworm },
        };
        state = state.Apply(new KernelFarm.Messages.Queue.QueueEvents.JobQueued("j", request, null, 1, DateTimeOffset.UnixEpoch));
        var candidate = Assert.Single(state.NextCandidates(1, DateTimeOffset.MaxValue));
        Assert.Equal(Bookworm, candidate.ContainerImage);
    }

    [Fact]
    public void Placements_and_servers_journaled_before_containers_existed_still_read()
    {
        const string placement = """
            {"job_id":"j","server":{"id":"s","hostname":"s","ip_address":"10.0.0.1","ssh_username":"b","ssh_host_key_fingerprint":"SHA256:x"},
             "toolchain":{"name":"gcc-12","target_architectures":["x86_64"],"cross_compile":""}}
            """;
        var p = JsonSerializer.Deserialize<Placement>(placement, FarmJson.Options)!;
        Assert.Null(p.ContainerImage);
        Assert.Null(p.Server.ContainerRuntime);
        Assert.Empty(p.Server.ContainerImages);
        Assert.Null(p.Server.ContainerDefaultCpus);
        var request = JsonSerializer.Deserialize<PlacementRequest>(
            """{"job_id":"j","architecture":"x86_64","toolchain":null,"workspace_root":null,"build_directory":null,"avoid_servers":[]}""", FarmJson.Options)!;
        Assert.Null(request.ContainerImage);
    }

    [Fact]
    public void Container_fields_have_snake_case_names()
    {
        var json = JsonSerializer.Serialize(WithImages("c") with { ContainerDefaultCpus = 2, ContainerDefaultMemoryMb = 1024 }, FarmJson.Options);
        Assert.Contains("\"container_runtime\":\"podman\"", json);
        Assert.Contains($"\"container_images\":[{{\"name\":\"{Bookworm}\",\"toolchains\":[{{\"name\":\"gcc-12\"", json);
        Assert.Contains("\"container_default_cpus\":2", json);
        Assert.Contains("\"container_default_memory_mb\":1024", json);
        var config = JsonSerializer.Serialize(new BuildConfig { ContainerImage = Bookworm, ContainerCpus = 1.5, ContainerMemoryMb = 512 }, FarmJson.Options);
        Assert.Contains($"\"container_image\":\"{Bookworm}\"", config);
        Assert.Contains("\"container_cpus\":1.5", config);
        Assert.Contains("\"container_memory_mb\":512", config);
    }
}
