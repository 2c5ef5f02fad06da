namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// A uniquely named directory under <see cref="Root"/> (/tmp/kfarm-tests), deleted
/// recursively on dispose. Optionally owned by the build user so it can write there.
/// </summary>
public sealed class TempDirectory : IDisposable, IAsyncDisposable
{
    /// <summary>Parent of every fixture directory; mode 0755 so the build user can traverse it.</summary>
    public const string Root = "/tmp/kfarm-tests";

    private const UnixFileMode Mode0755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Creates /tmp/kfarm-tests/&lt;prefix&gt;-XXXXXXXX with mode 0755 (owned by root, or by kfbuild if asked).</summary>
    public static TempDirectory Create(string prefix, bool ownedByBuildUser = false)
    {
        var path = CreateUniqueDirectory(prefix);
        var dir = new TempDirectory(path);
        if (ownedByBuildUser)
        {
            try
            {
                BuildUser.Chown(path);
            }
            catch
            {
                dir.Dispose();
                throw;
            }
        }
        return dir;
    }

    /// <summary>Creates a fresh uniquely named 0755 directory under <see cref="Root"/> and returns its path.</summary>
    internal static string CreateUniqueDirectory(string prefix)
    {
        EnsureRoot();
        while (true)
        {
            var path = System.IO.Path.Combine(Root, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");
            if (Directory.Exists(path))
                continue;
            Directory.CreateDirectory(path);
            SetMode(path, Mode0755);
            return path;
        }
    }

    /// <summary>chmod; the fixtures are Linux-only (sshd, runuser, /proc, pidfds).</summary>
    internal static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("KernelFarm integration fixtures need Linux");
        File.SetUnixFileMode(path, mode);
    }

    internal static void EnsureRoot()
    {
        Directory.CreateDirectory(Root);
        SetMode(Root, Mode0755);
    }

    /// <summary>Recursively deletes a directory (absent is fine; retries twice on transient IO errors, then throws).</summary>
    internal static void DeleteTree(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                    Directory.Delete(path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 2)
            {
                // a process we just killed may still have been writing; try again
            }
            catch (UnauthorizedAccessException) when (attempt < 2)
            {
            }
        }
    }

    public void Dispose() => DeleteTree(Path);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => Path;
}
