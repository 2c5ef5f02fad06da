using KernelFarm.Actors.Storage;
using Xunit;

namespace KernelFarm.Tests.Storage;

public sealed class DeclaredSizeStreamTests
{
    [Fact]
    public async Task Exactly_the_declared_size_passes()
    {
        var inner = new MemoryStream();
        await using (var s = new DeclaredSizeStream(inner, 5, "vmlinux"))
        {
            await s.WriteAsync("abc"u8.ToArray());
            await s.WriteAsync("de"u8.ToArray());
        }
        Assert.Equal("abcde"u8.ToArray(), inner.ToArray());
    }

    [Fact]
    public async Task One_byte_more_fails_and_writes_nothing_past_the_declared_size()
    {
        var inner = new MemoryStream();
        var s = new DeclaredSizeStream(inner, 1, "vmlinux");
        var e = await Assert.ThrowsAsync<LimitExceededException>(() => s.WriteAsync(new byte[64 * 1024]).AsTask());
        Assert.Contains("vmlinux", e.Message);
        Assert.Contains("1 bytes", e.Message);
        Assert.Equal(0, inner.Length);
        Assert.Throws<LimitExceededException>(() => s.Write(new byte[2], 0, 2));
        s.Write(new byte[1], 0, 1); // what fits still fits
        Assert.Equal(1, inner.Length);
        Assert.Throws<LimitExceededException>(() => s.Write(new byte[1], 0, 1));
    }

    [Fact]
    public void A_declared_empty_file_takes_no_byte() =>
        Assert.Throws<LimitExceededException>(() => new DeclaredSizeStream(new MemoryStream(), 0, "x").Write([0], 0, 1));

    [Fact]
    public async Task The_hash_covers_exactly_what_was_passed_on()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var inner = new MemoryStream();
        var s = new DeclaredSizeStream(inner, 5, "vmlinux", hash);
        await s.WriteAsync("abc"u8.ToArray());
        s.Write("de"u8.ToArray(), 0, 2);
        await Assert.ThrowsAsync<LimitExceededException>(() => s.WriteAsync("f"u8.ToArray()).AsTask()); // refused: not hashed either
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("abcde"u8.ToArray()), hash.GetHashAndReset());
        Assert.Equal(inner.ToArray(), "abcde"u8.ToArray());
    }
}
