using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A farm with one real sshd build server (127.0.0.7) whose login user, kfbuild, runs rootless
/// podman: the server declares <see cref="Image"/> (made by scripts/make-builder-image.sh, imported
/// into kfbuild's own image store) and gcc-12 both on the host and in the image, so the same job
/// can run either way. Farm__MaxAttempts=1: a container that cannot start fails the job at once.
/// </summary>
public sealed class ContainerFarm : IAsyncLifetime
{
    public const string Image = "localhost/kernelfarm-builder:bookworm";
    public const string ServerId = "pod";

    private readonly List<string> _jobs = [];
    public TempDirectory Root { get; private set; } = null!;
    public SshBuildServer Server { get; private set; } = null!;
    public FakeKernelTree Tree { get; private set; } = null!;
    public GitDaemon Git { get; private set; } = null!;
    public FarmProcess Farm { get; private set; } = null!;

    public string RepoUrl => Git.Url(FakeKernelTree.RepoDirName);

    public static string ScriptPath(string name) =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts", name));

    /// <summary>The builder image in kfbuild's rootless store (idempotent: seconds when it is there, about 2 min on a fresh machine).</summary>
    public static async Task EnsureBuilderImageAsync()
    {
        BuildUser.EnsureExists();
        var r = await Proc.RunAsync("bash", [ScriptPath("make-builder-image.sh"), "--user", BuildUser.Name]);
        Assert.True(r.ExitCode == 0, $"make-builder-image.sh failed: {r.Stderr}{r.Stdout}");
    }

    /// <summary>Runs podman as kfbuild, with the environment an SSH session of the fixture's sshd has (no XDG_RUNTIME_DIR).</summary>
    public static async Task<string> PodmanAsync(string arguments) =>
        (await BuildUser.RunAsync("env -u XDG_RUNTIME_DIR podman " + arguments, throwOnError: false)).Stdout;

    /// <summary>Containers named kfarm-&lt;id&gt;, running or not.</summary>
    public static async Task<string> ContainersOfAsync(string jobId) =>
        (await PodmanAsync($"ps -a --filter name=^kfarm-{jobId}$ --format '{{{{.Names}}}} {{{{.Status}}}}'")).Trim();

    /// <summary>Waits until the job's container is gone (the farm's cleanup runs just after the job's end is recorded).</summary>
    public static async Task AssertContainerGoneAsync(string jobId)
    {
        await Eventually.ValueAsync(() => ContainersOfAsync(jobId), left => left.Length == 0, TimeSpan.FromSeconds(30),
            "the job's container to be removed (container left behind)");
    }

    /// <summary>Timings for people: the test output and /tmp/kfarm-tests/container-timings.log (the runner hides passing tests' output).</summary>
    public static void Report(Xunit.Abstractions.ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        try { File.AppendAllText(Path.Combine(TempDirectory.Root, "container-timings.log"), $"{DateTimeOffset.UtcNow:O} {line}\n"); }
        catch (IOException) { }
    }

    public static JsonObject ImageDeclaration(string image = Image) => new()
    {
        ["name"] = image,
        ["toolchains"] = new JsonArray(FarmProcess.Toolchain("gcc-12", ["x86_64"])),
    };

    public async Task InitializeAsync()
    {
        await EnsureBuilderImageAsync();
        Root = TempDirectory.Create("container");
        Server = await SshBuildServer.StartAsync("127.0.0.7");
        var repos = Path.Combine(Root.Path, "repos");
        Directory.CreateDirectory(repos);
        Tree = FakeKernelTree.Create(repos);
        Git = await GitDaemon.StartAsync(repos);
        Farm = await FarmProcess.StartAsync(Path.Combine(Root.Path, "node"), new Dictionary<string, string> { ["Farm__MaxAttempts"] = "1" });
        await Farm.RegisterServerAsync(Server, ServerId, ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], maxJobs: 2,
            extra: new JsonObject
            {
                ["container_runtime"] = "podman",
                ["container_images"] = new JsonArray(ImageDeclaration(), ImageDeclaration("localhost/kernelfarm-missing:1")),
            });
    }

    /// <summary>A fake-tree job; in the builder image unless <paramref name="image"/> is empty.</summary>
    public JsonObject Job(string? image = Image, string config = "tinyconfig", int buildSeconds = 0, JsonObject? extraConfig = null)
    {
        var env = new JsonObject();
        if (buildSeconds > 0) env["FAKE_BUILD_SECONDS"] = buildSeconds.ToString();
        var config_ = new JsonObject { ["kernel_config"] = config, ["custom_env"] = env };
        if (!string.IsNullOrEmpty(image)) config_["container_image"] = image;
        foreach (var (k, v) in extraConfig ?? []) config_[k] = v?.DeepClone();
        return new JsonObject
        {
            ["source_repository"] = RepoUrl,
            ["branch"] = "master",
            ["commit_hash"] = "HEAD",
            ["target_architecture"] = "x86_64",
            ["build_config"] = config_,
        };
    }

    public async Task<string> SubmitAsync(JsonObject job)
    {
        var id = await Farm.SubmitAsync(job);
        _jobs.Add(id);
        return id;
    }

    public async Task DisposeAsync()
    {
        // whatever a failed test left running (only this class's jobs: other farms may use the same user)
        foreach (var id in _jobs) await PodmanAsync($"rm -f -i -t 0 kfarm-{id}");
        await Farm.DisposeAsync();
        await Git.DisposeAsync();
        await Server.DisposeAsync();
        Tree.Dispose();
        Root.Dispose();
    }
}
