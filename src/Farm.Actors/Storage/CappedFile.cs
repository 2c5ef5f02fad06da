namespace KernelFarm.Actors.Storage;

/// <summary>A published file of a job read as text, at most its first bytes (a big build log is never held whole).</summary>
public static class CappedFile
{
    /// <returns>The text, or null when the file (or its folder) does not exist; other I/O errors are thrown.</returns>
    public static string? Read(string path, int maxBytes)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[Math.Min(file.Length, maxBytes)];
            file.ReadExactly(buffer);
            return System.Text.Encoding.UTF8.GetString(buffer);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }
}
