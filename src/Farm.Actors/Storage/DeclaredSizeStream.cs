namespace KernelFarm.Actors.Storage;

/// <summary>
/// Passes at most <c>declared</c> bytes to the inner stream; the first write that would go past
/// it throws <see cref="LimitExceededException"/> and writes nothing of itself. Wraps a download
/// so that a remote file that grew, or that is not what the manifest says (a symlink to
/// /dev/zero), costs at most its declared size of central storage, not whatever it streams.
/// What it passes also goes into <c>hash</c> when one is given: the download's sha256 as it
/// streams, instead of reading the whole file again afterwards.
/// </summary>
public sealed class DeclaredSizeStream(Stream inner, long declared, string name, System.Security.Cryptography.IncrementalHash? hash = null) : Stream
{
    public long Written { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Admit(count);
        inner.Write(buffer, offset, count);
        hash?.AppendData(buffer, offset, count);
        Written += count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        Admit(buffer.Length);
        await inner.WriteAsync(buffer, ct).ConfigureAwait(false);
        hash?.AppendData(buffer.Span);
        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private void Admit(int count)
    {
        if (count > declared - Written)
            throw new LimitExceededException(
                $"artifact '{name}' is larger than the {declared} bytes its manifest declares: the download was stopped " +
                "(the file grew after the manifest was written, or is not what the manifest says)");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
