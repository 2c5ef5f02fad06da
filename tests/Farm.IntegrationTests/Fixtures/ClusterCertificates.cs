namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// Cluster credentials made by the real scripts/make-cluster-cert.sh, once per test run and shared:
/// <see cref="Cluster"/> is the one every FarmCluster node gets; <see cref="Stranger"/> is another
/// run of the same script (a CA with the same name, but another key), i.e. a self-made credential.
/// </summary>
public static class ClusterCertificates
{
    public sealed record Bundle(string Directory)
    {
        public string CertificatePath => Path.Combine(Directory, "node.p12");
        public string PasswordFile => Path.Combine(Directory, "node.p12.password");

        /// <summary>The settings that give a node this credential.</summary>
        public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
        {
            ["Farm__ClusterTls__CertificatePath"] = CertificatePath,
            ["Farm__ClusterTls__PasswordFile"] = PasswordFile,
        };
    }

    private static readonly Lazy<Task<Bundle>> ClusterBundle = new(() => MakeAsync("cluster-cert"));
    private static readonly Lazy<Task<Bundle>> StrangerBundle = new(() => MakeAsync("stranger-cert"));

    public static Task<Bundle> Cluster => ClusterBundle.Value;
    public static Task<Bundle> Stranger => StrangerBundle.Value;

    private static async Task<Bundle> MakeAsync(string prefix)
    {
        // Shared by every test of the run, so removed when the run ends; the script makes it mode 700.
        TempDirectory.EnsureRoot();
        var dir = Path.Combine(TempDirectory.Root, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
        await Proc.RunAsync("bash", [Script, dir], throwOnError: true);
        return new Bundle(dir);
    }

    public static string Script
    {
        get
        {
            // tests/Farm.IntegrationTests/bin/<Config>/net10.0 → scripts/make-cluster-cert.sh
            var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
            var script = Path.Combine(repo, "scripts/make-cluster-cert.sh");
            return File.Exists(script) ? script : throw new FileNotFoundException("scripts/make-cluster-cert.sh", script);
        }
    }
}
