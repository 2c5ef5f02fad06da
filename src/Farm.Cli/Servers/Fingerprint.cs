namespace KernelFarm.Cli.Servers;

/// <summary>
/// SSH host key fingerprints as the farm pins them: "SHA256:" and the unpadded base64 of the key's
/// sha256, as <c>ssh-keygen -lf key.pub -E sha256</c> prints it.
/// </summary>
public static class Fingerprint
{
    public static string Display(string fingerprint)
    {
        var f = fingerprint.Trim();
        if (f.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase)) f = f[7..];
        return "SHA256:" + f.TrimEnd('=');
    }

    public static string FromSha256(byte[] hash) => "SHA256:" + Convert.ToBase64String(hash).TrimEnd('=');
}
