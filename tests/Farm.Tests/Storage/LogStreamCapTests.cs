using System.Text;
using Akka.Actor;
using Akka.TestKit;
using KernelFarm.Actors.Jobs;
using Xunit;

namespace KernelFarm.Tests.Storage;

/// <summary>
/// The log stream never lets the central log grow past its cap: it appends up to the cap, one cut
/// line, tells its parent, and ignores whatever the build prints afterwards (SSH is a probe here).
/// </summary>
public sealed class LogStreamCapTests : ActorTest
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kfarm-logcap-").FullName;
    private readonly TestProbe _session;

    public LogStreamCapTests() => _session = CreateTestProbe("ssh");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_dir, recursive: true);
    }

    private string LogPath => Path.Combine(_dir, "job.log");

    private IActorRef Start(long cap)
    {
        // TestActor is the parent: it receives LimitReached and the other reports
        var stream = ChildActorOf(LogStreamActor.Props(_session.Ref, "/ws", 4242, LogPath, 0, null, cap));
        _session.ExpectMsg<SshSessionActor.Stream>();
        return stream;
    }

    private static SshSessionActor.Chunk Chunk(string text) => new("follow", Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_log_is_cut_at_the_cap_with_one_line_saying_so_and_the_parent_is_told()
    {
        var stream = Start(cap: 16);
        stream.Tell(Chunk("0123456789\n"), _session.Ref);
        stream.Tell(Chunk("abcdefghij\n"), _session.Ref);
        var limit = ExpectMsg<LogStreamActor.LimitReached>();
        Assert.Contains("16 bytes", limit.Error);
        stream.Tell(Chunk("more and more\n"), _session.Ref);
        stream.Tell(new SshSessionActor.StreamEnded("follow", 0), _session.Ref);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no second report, no drain
        _session.ExpectNoMsg(TimeSpan.Zero);

        var log = File.ReadAllText(LogPath);
        Assert.StartsWith("0123456789\nabcde\n==> kfarm: log cut at 16 bytes", log);
        Assert.Single(log.Split('\n'), l => l.Contains("log cut", StringComparison.Ordinal));
        Assert.DoesNotContain("more", log);
    }

    [Fact]
    public void A_restarted_stream_on_a_full_log_reports_the_limit_again_and_appends_nothing()
    {
        File.WriteAllText(LogPath, new string('x', 32));
        var stream = ChildActorOf(LogStreamActor.Props(_session.Ref, "/ws", 4242, LogPath, 0, null, 32));
        ExpectMsg<LogStreamActor.LimitReached>();
        _session.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // it does not even start tailing
        stream.Tell(Chunk("more\n"), _session.Ref);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(32, new FileInfo(LogPath).Length);
    }

    [Fact]
    public void Under_the_cap_nothing_changes()
    {
        var stream = Start(cap: 1024);
        stream.Tell(Chunk("CC init/main.o\n==> kfarm: step building\n"), _session.Ref);
        ExpectMsg<LogStreamActor.StepObserved>(s => s.Step == "building");
        stream.Tell(new SshSessionActor.StreamEnded("follow", 0), _session.Ref);
        _session.ExpectMsg<SshSessionActor.Stream>(s => s.Tag == "drain");
        stream.Tell(new SshSessionActor.StreamEnded("drain", 0), _session.Ref);
        ExpectMsg<LogStreamActor.Ended>();
        Assert.Equal("CC init/main.o\n==> kfarm: step building\n", File.ReadAllText(LogPath));
    }
}
