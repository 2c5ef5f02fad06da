using System.Text;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Masks the values of a job's <c>build_config.secret_env</c> in its log stream. Each occurrence
/// is replaced by as many <c>*</c> as it has bytes: the central log's length is the stream's
/// resume offset on the server's build.log, so masking must not change lengths. A chunk that
/// ends with what may be the start of a secret keeps that tail back until the next chunk
/// decides it, so a secret split across chunks is masked too.
/// </summary>
public sealed class SecretMasker
{
    private readonly byte[][] _secrets;
    private byte[] _pending = [];

    /// <param name="secrets">The values to mask; empty ones are ignored.</param>
    public SecretMasker(IEnumerable<string> secrets) =>
        // Longest first, so a secret containing another is masked whole.
        _secrets = secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)
            .Select(Encoding.UTF8.GetBytes).OrderByDescending(b => b.Length).ToArray();

    public bool IsEmpty => _secrets.Length == 0;

    /// <summary>Bytes held back because they may begin a secret (not yet written anywhere).</summary>
    public int Pending => _pending.Length;

    /// <summary>Masks <paramref name="data"/> after what is pending; returns what can be written now.</summary>
    public byte[] Push(ReadOnlySpan<byte> data)
    {
        if (IsEmpty) return data.ToArray();
        var buffer = new byte[_pending.Length + data.Length];
        _pending.CopyTo(buffer, 0);
        data.CopyTo(buffer.AsSpan(_pending.Length));
        var i = 0;
        while (i < buffer.Length)
        {
            if (SecretAt(buffer.AsSpan(i)) is { } secret)
            {
                buffer.AsSpan(i, secret.Length).Fill((byte)'*');
                i += secret.Length;
            }
            else if (MayStartSecret(buffer.AsSpan(i)))
            {
                break; // the tail may be the start of a secret: decide with the next chunk
            }
            else
            {
                i++;
            }
        }
        _pending = buffer[i..];
        return buffer[..i];
    }

    private byte[]? SecretAt(ReadOnlySpan<byte> rest)
    {
        foreach (var s in _secrets)
            if (rest.StartsWith(s)) return s;
        return null;
    }

    private bool MayStartSecret(ReadOnlySpan<byte> tail)
    {
        foreach (var s in _secrets)
            if (s.Length > tail.Length && s.AsSpan().StartsWith(tail)) return true;
        return false;
    }

    /// <summary>At the end of the log: the held-back tail, which never became a secret.</summary>
    public byte[] Flush()
    {
        var rest = _pending;
        _pending = [];
        return rest;
    }

    /// <summary>Drops the held-back tail: the next read starts at the written length and reads it again.</summary>
    public void Discard() => _pending = [];
}
