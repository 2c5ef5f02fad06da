using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// Ways to break the artifact storage for real although the tests run as root (so chmod would
/// not stop a write): the immutable attribute, and a tiny tmpfs filled to the brim.
/// </summary>
public static class StorageFaults
{
    /// <summary>
    /// <c>chattr +i</c> on a directory: nothing can be created, renamed or removed in it (existing
    /// subdirectories stay writable). Dispose clears the attribute again.
    /// </summary>
    public static async Task<IAsyncDisposable> ImmutableAsync(string directory)
    {
        await Proc.RunAsync("chattr", ["+i", directory], throwOnError: true);
        var probe = Path.Combine(directory, ".kfarm-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            await Proc.RunAsync("chattr", ["-i", directory]);
            throw new InvalidOperationException($"chattr +i did not make {directory} unwritable on this filesystem");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* as intended */ }
        return new Undo(() => Proc.RunAsync("chattr", ["-i", directory], throwOnError: true));
    }

    /// <summary>
    /// Mounts a tmpfs of <paramref name="sizeKiB"/> KiB on <paramref name="directory"/> (created if
    /// needed). Dispose unmounts it (lazily if it is busy).
    /// </summary>
    public static async Task<IAsyncDisposable> TmpfsAsync(string directory, int sizeKiB)
    {
        Directory.CreateDirectory(directory);
        await Proc.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={sizeKiB}k,mode=0755", "tmpfs", directory], throwOnError: true);
        return new Undo(async () =>
        {
            var r = await Proc.RunAsync("umount", [directory]);
            if (!r.Succeeded) await Proc.RunAsync("umount", ["-l", directory], throwOnError: true);
        });
    }

    /// <summary>Fills the filesystem of <paramref name="directory"/> until a write fails (ENOSPC); returns the filler's path.</summary>
    public static string Fill(string directory)
    {
        var filler = Path.Combine(directory, "filler");
        var block = new byte[4096];
        Array.Fill(block, (byte)'x');
        using (var s = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            try
            {
                while (true) { s.Write(block); s.Flush(); }
            }
            catch (IOException) { /* full */ }
        }
        // Whatever is left (less than a block), take too: one byte at a time.
        using (var s = new FileStream(filler, FileMode.Append, FileAccess.Write, FileShare.None, 1))
        {
            try
            {
                while (true) { s.WriteByte(1); s.Flush(); }
            }
            catch (IOException) { /* completely full */ }
        }
        return filler;
    }

    private sealed class Undo(Func<Task> undo) : IAsyncDisposable
    {
        private int _done;
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) await undo();
        }
    }
}
