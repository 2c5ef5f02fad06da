namespace KernelFarm.Actors.Storage;

/// <summary>Central storage refused a write (full, read-only, no permission): not the build server's fault.</summary>
public sealed class StorageException(string message, Exception inner) : IOException(message, inner);

/// <summary>Wraps a local file so that its write failures surface as <see cref="StorageException"/>, not as transfer errors.</summary>
public sealed class StorageWriteStream(FileStream inner) : Stream
{
    public static StorageWriteStream Create(string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new StorageWriteStream(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"storage: cannot create {path}: {e.Message}", e);
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() => Guard(inner.Flush);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Guard(() => inner.Write(buffer, offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        try { await inner.WriteAsync(buffer, ct).ConfigureAwait(false); }
        catch (IOException e) { throw new StorageException($"storage: writing {inner.Name} failed: {e.Message}", e); }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private void Guard(Action write)
    {
        try { write(); }
        catch (IOException e) { throw new StorageException($"storage: writing {inner.Name} failed: {e.Message}", e); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { try { inner.Dispose(); } catch (IOException e) { throw new StorageException($"storage: closing {inner.Name} failed: {e.Message}", e); } }
        base.Dispose(disposing);
    }
}
