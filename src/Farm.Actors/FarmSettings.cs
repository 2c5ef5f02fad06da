namespace KernelFarm.Actors;

/// <summary>Every knob of a farm node, bound from configuration ("Farm" section; env Farm__X).</summary>
public sealed class FarmSettings
{
    public string ArtifactStoragePath { get; set; } = "/var/lib/artifacts";
    /// <summary>The SQLite journal and other node state.</summary>
    public string DataDirectory { get; set; } = "/var/lib/kernelfarm";
    public int MaxQueueSize { get; set; } = 1000;
    /// <summary>"sqlite" (embedded, one node) or "postgres" (shared by a cluster).</summary>
    public string Persistence { get; set; } = "sqlite";
    /// <summary>Npgsql connection string when <see cref="Persistence"/> is "postgres".</summary>
    public string PostgresConnectionString { get; set; } = "Host=127.0.0.1;Database=kernelfarm;Username=kernelfarm;Password=kernelfarm";
    /// <summary>"gateway" serves HTTP, "worker" hosts the queue, the pool and job actors; a node may have both.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Configured roles, or both when none are set (a single node runs everything).</summary>
    public IReadOnlyList<string> EffectiveRoles => Roles.Count > 0 ? Roles : ["gateway", "worker"];

    public bool HasRole(string role) => EffectiveRoles.Contains(role, StringComparer.OrdinalIgnoreCase);
    /// <summary>Where a job's output_directory may point; empty means just the artifact storage path.</summary>
    public List<string> AllowedOutputRoots { get; set; } = [];
    /// <summary>Akka.NET remoting: host name and port of this node (0 = any free port).</summary>
    public string ClusterHostname { get; set; } = "127.0.0.1";
    public int ClusterPort { get; set; }
    public List<string> SeedNodes { get; set; } = [];
    /// <summary>The cluster certificate; required when <see cref="SeedNodes"/> lists another node (docs/cluster-tls.md).</summary>
    public Hosting.ClusterTlsSettings ClusterTls { get; set; } = new();
    /// <summary>Split-brain resolver: how long membership must be stable before unreachable nodes are downed.</summary>
    public TimeSpan DowningStableAfter { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan SshConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A job whose inputs equal a completed build's takes its result instead of building (docs/reuse.md); false turns it off farm-wide.</summary>
    public bool ResultReuse { get; set; } = true;
    /// <summary>Tries per job; infrastructure failures start the next try on another server.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>Wait before the second try; doubles for each further try.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>A job's build time limit unless it sets build_config.timeout_minutes.</summary>
    public TimeSpan DefaultJobTimeout { get; set; } = TimeSpan.FromHours(2);
    /// <summary>How often a job tries to reach its server again before it declares the attempt lost.</summary>
    public int ReattachAttempts { get; set; } = 5;
    public TimeSpan ReattachDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How often an unacknowledged message between the queue, the pool and a job (Create, Start,
    /// Requeue, Release) is sent again: one sent to a node that died before it was downed is lost.
    /// </summary>
    public TimeSpan RedeliveryInterval { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>
    /// The queue and the pool save a snapshot every this many events and delete the events (and older
    /// snapshots) it covers, so a hand-over replays at most this many events (0: never).
    /// </summary>
    public int SnapshotEvery { get; set; } = 1000;
    /// <summary>Tries per webhook of an ended job; the wait between them starts at WebhookBackoff and doubles.</summary>
    public int WebhookAttempts { get; set; } = 6;
    public TimeSpan WebhookBackoff { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Hosts webhooks may call ("ci.example.com", ".example.com" for a domain); empty allows any.</summary>
    public List<string> WebhookAllowedHosts { get; set; } = [];
    /// <summary>Networks and headers webhooks may use beyond the safe defaults (docs/webhooks.md).</summary>
    public Webhooks.WebhookSettings Webhooks { get; set; } = new();
    /// <summary>URL prefixes under which a plan's kconfig items may be fetched (docs/plans.md); empty: none are.</summary>
    public List<string> KconfigUrlPrefixes { get; set; } = [];
    /// <summary>KCIDB output: the origin of its ids and the farm's public address (docs/kcidb.md).</summary>
    public Kcidb.KcidbSettings Kcidb { get; set; } = new();

    /// <summary>The largest request body any endpoint reads (Kestrel's MaxRequestBodySize); larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;
    /// <summary>A page of the job list stops before it would pass this many bytes of JSON (at least one job per page).</summary>
    public int MaxListPageBytes { get; set; } = 1 << 20;
    /// <summary>Per-job caps on central storage (log and artifact bytes): see <see cref="FarmLimits"/>.</summary>
    public FarmLimits Limits { get; set; } = new();

    public TimeSpan BackoffBefore(int attempt) =>
        TimeSpan.FromTicks(RetryBackoff.Ticks * (1L << Math.Clamp(attempt - 2, 0, 10)));

    public IReadOnlyList<string> EffectiveOutputRoots =>
        AllowedOutputRoots.Count > 0 ? AllowedOutputRoots : [ArtifactStoragePath];
}
