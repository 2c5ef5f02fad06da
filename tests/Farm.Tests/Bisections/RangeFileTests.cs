using KernelFarm.Actors.Bisections;
using Xunit;

namespace KernelFarm.Tests.Bisections;

public sealed class RangeFileTests
{
    private static readonly string A = new('a', 40), B = new('B', 40), C = new('c', 40);

    [Fact]
    public void Lines_are_commits_good_first_with_author_and_subject()
    {
        var (commits, error) = RangeFile.Parse($"{A}\tA U Thor <a@x>\tLinux 6.1\n{B}\tB <b@x>\tinit: a\ttab in subject\n{C}\tC <c@x>\t\n");
        Assert.Null(error);
        Assert.Equal(3, commits!.Count);
        Assert.Equal((0, A), (commits[0].Index, commits[0].Sha));
        Assert.Equal(B.ToLowerInvariant(), commits[1].Sha);
        Assert.Equal("init: a\ttab in subject", commits[1].Subject);
        Assert.Equal("", commits[2].Subject);
    }

    [Fact]
    public void Long_subjects_and_authors_are_cut()
    {
        var (commits, _) = RangeFile.Parse($"{A}\t{new string('n', 500)}\t{new string('s', 500)}\n{C}\tx\ty\n");
        Assert.Equal(RangeFile.MaxAuthor, commits![0].Author.Length);
        Assert.Equal(RangeFile.MaxSubject, commits[0].Subject.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("aaaa\tx\ty\n")]
    [InlineData("not a sha at all, but forty characters!\tx\ty\n")]
    public void Anything_else_is_refused_with_why(string text)
    {
        var (commits, error) = RangeFile.Parse(text);
        Assert.Null(commits);
        Assert.NotNull(error);
    }

    [Fact]
    public void A_range_of_the_good_commit_alone_is_refused()
    {
        var (commits, error) = RangeFile.Parse($"{A}\tx\ty\n");
        Assert.Null(commits);
        Assert.Contains("same commit", error);
    }
}
