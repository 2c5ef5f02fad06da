namespace KernelFarm.Actors;

/// <summary>Every knob of a farm node, bound from configuration ("Farm" section; env Farm__X).</summary>
public sealed class FarmSettings
{
    public string ArtifactStoragePath { get; set; } = "/var/lib/artifacts";
    /// <summary>The SQLite journal and other node state.</summary>
    public string DataDirectory { get; set; } = "/var/lib/kernelfarm";
    public int MaxQueueSize { get; set; } = 1000;
    /// <summary>Where a job's output_directory may point; empty means just the artifact storage path.</summary>
    public List<string> AllowedOutputRoots { get; set; } = [];
    /// <summary>Akka.NET remoting: host name and port of this node (0 = any free port).</summary>
    public string ClusterHostname { get; set; } = "127.0.0.1";
    public int ClusterPort { get; set; }
    public List<string> SeedNodes { get; set; } = [];
    public TimeSpan SshConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> EffectiveOutputRoots =>
        AllowedOutputRoots.Count > 0 ? AllowedOutputRoots : [ArtifactStoragePath];
}
