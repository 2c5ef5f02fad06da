using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using KernelFarm.Actors.Jobs;
using KernelFarm.IntegrationTests.Fixtures;
using KernelFarm.Messages.Servers;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>
/// A command with a time limit against a real sshd: past the limit the run fails with a message
/// that says so, the connection is dropped, and the next command on the same session actor gets a
/// fresh connection. (SSH.NET may never complete an operation whose connection broke at the wrong
/// moment; the limit is what turns that into a failed, retried attempt.)
/// </summary>
public sealed class SshSessionTimeoutTests : IAsyncLifetime
{
    private SshBuildServer _server = null!;
    private ActorSystem _system = null!;

    public async Task InitializeAsync()
    {
        _server = await SshBuildServer.StartAsync("127.0.0.78");
        _system = ActorSystem.Create("ssh-timeout", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        await _server.DisposeAsync();
    }

    private BuildServer Server => _server.AsBuildServer("timeouts");

    [Fact]
    public async Task A_command_past_its_time_limit_fails_and_the_next_one_gets_a_new_connection()
    {
        var session = _system.ActorOf(SshSessionActor.Props(Server, TimeSpan.FromSeconds(15)));
        var ask = TimeSpan.FromSeconds(60);

        // A first command opens the connection.
        var first = await session.Ask<object>(new SshSessionActor.Run("echo $PPID", "first"), ask);
        var firstSshd = Assert.IsType<SshSessionActor.RunResult>(first).Result.Stdout.Trim();

        var clock = Stopwatch.StartNew();
        var late = await session.Ask<object>(new SshSessionActor.Run("sleep 30", "late", TimeSpan.FromSeconds(1)), ask);
        var failed = Assert.IsType<SshSessionActor.RunFailed>(late);
        Assert.Equal("late", failed.Tag);
        Assert.False(failed.Connect);
        Assert.Contains("no answer from timeouts within 1 s", failed.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"failed only after {clock.Elapsed}");

        var next = await session.Ask<object>(new SshSessionActor.Run("echo $PPID", "next"), ask);
        var nextSshd = Assert.IsType<SshSessionActor.RunResult>(next).Result.Stdout.Trim();
        Assert.NotEqual(firstSshd, nextSshd); // another sshd session: the wedged connection was dropped
    }

    [Fact]
    public void A_download_may_take_a_minute_plus_a_second_per_MiB()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), SshSessionActor.DownloadTimeout(0));
        Assert.Equal(TimeSpan.FromSeconds(60 + 1024), SshSessionActor.DownloadTimeout(1L << 30));
    }
}
