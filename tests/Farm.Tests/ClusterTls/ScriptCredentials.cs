using System.Diagnostics;

namespace KernelFarm.Tests.ClusterTls;

/// <summary>Bundles made by the real scripts/make-cluster-cert.sh (openssl), each in its own directory, once per test run.</summary>
public static class ScriptCredentials
{
    private static readonly Lazy<string> ClusterDir = new(() => Make("cluster"));
    private static readonly Lazy<string> StrangerDir = new(() => Make("stranger"));

    /// <summary>The directory with ca.key, ca.crt, node.p12 and node.p12.password.</summary>
    public static string Cluster => ClusterDir.Value;
    /// <summary>Another run of the script: a CA of the same name with another key.</summary>
    public static string Stranger => StrangerDir.Value;

    private static string Make(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"kfarm-unit-{name}-{Guid.NewGuid().ToString("N")[..8]}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/make-cluster-cert.sh"));
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed: {stderr.Result}");
        return dir;
    }
}
