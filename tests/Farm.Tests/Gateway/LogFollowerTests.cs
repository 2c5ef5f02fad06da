using System.Text;
using KernelFarm.Host.Gateway;
using Xunit;

namespace KernelFarm.Tests.Gateway;

/// <summary>LogFollower.Read: what one server-sent event of a growing log may hold.</summary>
public sealed class LogFollowerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"kfarm-follow-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void While_the_build_runs_only_whole_lines_are_sent_and_the_next_offset_follows_them()
    {
        File.WriteAllText(_path, "one\ntwo\nthr");
        var (text, next) = LogFollower.Read(_path, 0, new byte[1024], wholeLinesOnly: true);
        Assert.Equal("one\ntwo\n", text);
        Assert.Equal(8, next);

        Assert.Equal(("", 8L), LogFollower.Read(_path, 8, new byte[1024], wholeLinesOnly: true)); // "thr" is still being written
        File.AppendAllText(_path, "ee\n");
        Assert.Equal(("three\n", 14L), LogFollower.Read(_path, 8, new byte[1024], wholeLinesOnly: true));
    }

    [Fact]
    public void Once_the_job_ended_the_unterminated_tail_is_sent_too() 
    {
        File.WriteAllText(_path, "one\ntail");
        Assert.Equal(("tail", 8L), LogFollower.Read(_path, 4, new byte[1024], wholeLinesOnly: false));
    }

    [Fact]
    public void A_full_buffer_is_cut_at_its_last_newline_so_no_utf8_sequence_is_split()
    {
        File.WriteAllBytes(_path, Encoding.UTF8.GetBytes("äää\nööö\n"));
        var (text, next) = LogFollower.Read(_path, 0, new byte[10], wholeLinesOnly: false);
        Assert.Equal("äää\n", text);
        Assert.Equal(7, next);
    }

    [Fact]
    public void A_missing_log_or_an_offset_at_its_end_gives_nothing()
    {
        Assert.Equal(("", 5L), LogFollower.Read(_path, 5, new byte[16], wholeLinesOnly: true));
        File.WriteAllText(_path, "x\n");
        Assert.Equal(("", 2L), LogFollower.Read(_path, 2, new byte[16], wholeLinesOnly: false));
    }
}
