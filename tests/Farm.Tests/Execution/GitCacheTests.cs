using KernelFarm.Actors.Execution;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.Tests.Execution;

/// <summary>The git mirror's naming and the checkout lines (run for real in BuildScriptRunTests).</summary>
public sealed class GitCacheTests
{
    [Theory]
    [InlineData("git://127.0.0.1:9418/linux-6.1.git", "linux-6.1-")]
    [InlineData("https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git", "linux-")]
    [InlineData("https://example.org/repo/", "repo-")]
    [InlineData("git@example.org:team/kernel.git", "kernel-")]
    [InlineData("file:///srv/git/linux", "linux-")]
    public void A_mirror_is_named_readably_and_uniquely_after_its_url(string url, string prefix)
    {
        var name = GitCache.MirrorName(url);
        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9._-]+-[0-9a-f]{16}\\.git$", name);
        Assert.Equal(name, GitCache.MirrorName(url));
        Assert.NotEqual(name, GitCache.MirrorName(url + "x"));
    }

    [Fact]
    public void Unsafe_characters_never_reach_the_name()
    {
        var name = GitCache.MirrorName("https://example.org/$(touch x)`y`;z..git");
        Assert.Matches("^[A-Za-z0-9._-]+\\.git$", name);
        Assert.DoesNotContain("..", name.AsSpan(0, name.Length - 4).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_cache_lives_in_the_workspace_root_unless_the_server_names_a_directory()
    {
        var server = new BuildServer
        {
            Id = "a", Hostname = "a", IpAddress = "127.0.0.1", SshUsername = "b", SshHostKeyFingerprint = "SHA256:x", WorkspaceRoot = "/srv/builds/",
        };
        Assert.Equal("/srv/builds/.kfarm-cache", GitCache.RootFor(server));
        Assert.Equal("/mnt/cache", GitCache.RootFor(server with { CacheDirectory = "/mnt/cache" }));
    }

    [Fact]
    public void A_container_build_uses_the_mirror_too_fetched_by_the_agent_and_mounted_read_only()
    {
        var placement = BuildScriptTests.PlacementWith(new Toolchain("gcc-12", ["x86_64"]));
        var host = BuildPlan.From("job-7", BuildScriptTests.Request("x86_64"), placement, "/w/job-7", ArchitectureCatalog.Default);
        Assert.Equal("/tmp/builds/.kfarm-cache/git/" + GitCache.MirrorName("https://git.example.org/linux.git"), host.GitMirror);

        var podman = placement with
        {
            Server = placement.Server with { ContainerRuntime = "podman", ContainerImages = [new ContainerImage("localhost/b:1", [placement.Toolchain])] },
            ContainerImage = "localhost/b:1",
        };
        var inContainer = BuildPlan.From("job-7", BuildScriptTests.Request("x86_64"), podman, "/w/job-7", ArchitectureCatalog.Default);
        Assert.Equal(host.GitMirror, inContainer.GitMirror);
        var script = BuildScript.Generate(inContainer);
        Assert.DoesNotContain("git clone", script, StringComparison.Ordinal);
        Assert.Contains($"--volume {ShellQuote.Quote(host.GitMirror + ":" + host.GitMirror + ":ro")}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_request_value_in_the_checkout_lines_is_quoted()
    {
        var plan = BuildScriptTests.Plan() with
        {
            GitMirror = "/srv/c/git/x.git", SourceRepository = "https://h/r'$(id).git", Branch = "b$(id)", CommitHash = "abcdef1", GitSubmodules = true,
        };
        var lines = GitCache.CheckoutLines(plan).ToList();
        Assert.Contains("  run git -C \"$KFARM_MIRROR.new\" config remote.origin.url 'https://h/r'\\''$(id).git'", lines);
        Assert.Contains("run git -C \"$KFARM_MIRROR\" fetch -q --no-tags --depth 1 origin '+refs/heads/b$(id):refs/heads/b$(id)'", lines);
        Assert.Contains("KFARM_REV='abcdef1'", lines);
        Assert.Contains("run git -C source submodule update -q --init --recursive --depth 1", lines);
        var syntax = LocalShell.BashC("bash -n <<'EOF'\n" + string.Join('\n', lines) + "\nEOF", Path.GetTempPath());
        Assert.True(syntax.ExitCode == 0, syntax.Stderr);
    }
}
