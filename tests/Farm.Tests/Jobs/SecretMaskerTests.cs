using System.Text;
using KernelFarm.Actors.Jobs;
using Xunit;

namespace KernelFarm.Tests.Jobs;

public sealed class SecretMaskerTests
{
    private static string Run(SecretMasker m, params string[] chunks)
    {
        var written = new List<byte>();
        foreach (var c in chunks) written.AddRange(m.Push(Encoding.UTF8.GetBytes(c)));
        written.AddRange(m.Flush());
        return Encoding.UTF8.GetString(written.ToArray());
    }

    [Fact]
    public void Every_occurrence_is_masked_with_one_star_per_byte()
    {
        var log = Run(new SecretMasker(["hunter22"]), "TOKEN=hunter22\nagain hunter22 and hunter2 stays\n");
        Assert.Equal("TOKEN=********\nagain ******** and hunter2 stays\n", log);
    }

    [Fact]
    public void The_length_never_changes_so_the_central_log_stays_a_valid_resume_offset()
    {
        const string text = "ümlaut-secret: sécret-ü and more sécret-ü\n";
        Assert.Equal(Encoding.UTF8.GetByteCount(text), Encoding.UTF8.GetByteCount(Run(new SecretMasker(["sécret-ü"]), text)));
        Assert.DoesNotContain("sécret-ü", Run(new SecretMasker(["sécret-ü"]), text));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void A_secret_split_across_chunks_is_masked(int chunkSize)
    {
        const string text = "start pass=s3cr3t-value; s3cr3t-valu end s3cr3t-value";
        var chunks = text.Chunk(chunkSize).Select(c => new string(c)).ToArray();
        Assert.Equal("start pass=************; s3cr3t-valu end ************", Run(new SecretMasker(["s3cr3t-value"]), chunks));
    }

    [Fact]
    public void A_tail_that_may_start_a_secret_is_held_back_until_decided()
    {
        var m = new SecretMasker(["abcdef"]);
        Assert.Equal("log ", Encoding.UTF8.GetString(m.Push("log abc"u8)));
        Assert.Equal(3, m.Pending);
        Assert.Equal("abcxyz", Encoding.UTF8.GetString(m.Push("xyz"u8)));
        Assert.Equal(0, m.Pending);
    }

    [Fact]
    public void Discarding_drops_the_held_back_tail_for_a_re_read()
    {
        var m = new SecretMasker(["abcdef"]);
        m.Push("x abc"u8);
        m.Discard();
        Assert.Equal("******\n", Encoding.UTF8.GetString(m.Push("abcdef\n"u8)));
    }

    [Fact]
    public void The_longest_of_overlapping_secrets_wins() =>
        Assert.Equal("[**********] [****]", Run(new SecretMasker(["pass", "password42"]), "[password42] [pass]"));

    [Fact]
    public void Without_secrets_the_data_passes_unchanged()
    {
        var m = new SecretMasker(["", ""]);
        Assert.True(m.IsEmpty);
        Assert.Equal("anything at all", Encoding.UTF8.GetString(m.Push("anything at all"u8)));
    }
}
