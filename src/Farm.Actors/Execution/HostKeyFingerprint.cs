namespace KernelFarm.Actors.Execution;

/// <summary>Compares SHA256 host-key fingerprints in the forms people paste ("SHA256:abc…", with or without '=' padding).</summary>
public static class HostKeyFingerprint
{
    public static string Normalize(string fingerprint)
    {
        var f = fingerprint.Trim();
        if (f.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase)) f = f[7..];
        return f.TrimEnd('=');
    }

    public static bool Matches(string expected, string presented) =>
        string.Equals(Normalize(expected), Normalize(presented), StringComparison.Ordinal);

    public static string Display(string fingerprint) => "SHA256:" + Normalize(fingerprint);
}
