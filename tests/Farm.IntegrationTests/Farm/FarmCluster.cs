using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// A multi-node farm on one machine: N host processes forming one Akka.NET cluster on loopback,
/// sharing a PostgreSQL database and the artifact storage folder, with real sshd build servers
/// and a git daemon serving the fake kbuild tree.
/// </summary>
public sealed class FarmCluster : IAsyncDisposable
{
    public required TempDirectory Root { get; init; }
    public required IReadOnlyList<FarmProcess> Nodes { get; init; }
    public required IReadOnlyList<SshBuildServer> Servers { get; init; }
    public required FakeKernelTree Tree { get; init; }
    public required GitDaemon Git { get; init; }
    public required string Database { get; init; }
    /// <summary>The seed node addresses every node was given (for a stranger that tries to join).</summary>
    public required IReadOnlyList<string> SeedNodes { get; init; }
    public string StoragePath => Path.Combine(Root.Path, "artifacts");
    public string RepoUrl => Git.Url(FakeKernelTree.RepoDirName);

    /// <param name="roles">Per node, its roles (null: every node both gateway and worker).</param>
    public static async Task<FarmCluster> StartAsync(int nodes = 3, int servers = 2, int slotsPerServer = 2, string[][]? roles = null)
    {
        var certificate = await ClusterCertificates.Cluster; // every node holds the cluster's credential
        var root = TempDirectory.Create("cluster");
        var database = await Postgres.CreateDatabaseAsync();
        var storage = Path.Combine(root.Path, "artifacts");
        var ports = Enumerable.Range(0, nodes).Select(_ => FreePort.Get("127.0.0.1")).ToList();
        var seeds = ports.Select(p => $"akka.ssl.tcp://kernelfarm@127.0.0.1:{p}").ToList();
        var list = new List<FarmProcess>();
        for (var i = 0; i < nodes; i++)
        {
            var env = new Dictionary<string, string>
            {
                ["Farm__Persistence"] = "postgres",
                ["Farm__PostgresConnectionString"] = database,
                ["Farm__ArtifactStoragePath"] = storage,
                ["Farm__ClusterPort"] = ports[i].ToString(),
                ["Farm__DowningStableAfter"] = "00:00:03",
                ["Farm__ReattachDelay"] = "00:00:01",
                ["Farm__RetryBackoff"] = "00:00:01",
            };
            for (var s = 0; s < seeds.Count; s++) env[$"Farm__SeedNodes__{s}"] = seeds[s];
            foreach (var (k, v) in certificate.Environment) env[k] = v;
            if (roles?[i] is { } r) for (var k = 0; k < r.Length; k++) env[$"Farm__Roles__{k}"] = r[k];
            list.Add(FarmProcess.Create(Path.Combine(root.Path, $"node{i + 1}"), env));
        }
        // Every node starts at once: the first seed forms the cluster only once every other seed
        // node has answered that it is not a member (hocon/farm.hocon, seed-node-timeout), so it
        // is not ready on its own; the others only ever join it.
        try
        {
            await Task.WhenAll(list.Select(n => n.LaunchAsync()));
        }
        catch
        {
            for (var i = 0; i < list.Count; i++)
            {
                await list[i].DisposeAsync();
                try { File.Copy(list[i].LogPath, Path.Combine(TempDirectory.Root, $"failed-cluster-start-node{i + 1}.log"), overwrite: true); }
                catch (IOException) { }
            }
            await Postgres.DropDatabaseAsync(database);
            root.Dispose();
            throw;
        }

        var sshd = new List<SshBuildServer>();
        for (var s = 0; s < servers; s++) sshd.Add(await SshBuildServer.StartAsync($"127.0.0.{10 + s}"));
        var repos = Path.Combine(root.Path, "repos");
        Directory.CreateDirectory(repos);
        var tree = FakeKernelTree.Create(repos);
        var git = await GitDaemon.StartAsync(repos);
        var api = list.First(n => roles is null || roles[list.IndexOf(n)].Contains("gateway"));
        for (var s = 0; s < servers; s++)
            await api.RegisterServerAsync(sshd[s], $"server{s + 1}", ["x86_64"], [FarmProcess.Toolchain("gcc-12", ["x86_64"])], slotsPerServer);
        return new FarmCluster { Root = root, Nodes = list, Servers = sshd, Tree = tree, Git = git, Database = database, SeedNodes = seeds };
    }

    public JsonObject Job(int buildSeconds = 0) => new()
    {
        ["source_repository"] = RepoUrl,
        ["branch"] = "master",
        ["target_architecture"] = "x86_64",
        ["build_config"] = new JsonObject
        {
            ["kernel_config"] = "tinyconfig",
            ["custom_env"] = buildSeconds > 0 ? new JsonObject { ["FAKE_BUILD_SECONDS"] = buildSeconds.ToString() } : new JsonObject(),
        },
    };

    /// <summary>Any node that is running (for API calls that must survive the death of another).</summary>
    public FarmProcess AnyLive(params FarmProcess[] except) => Nodes.First(n => n.IsRunning && !except.Contains(n));

    /// <summary>The node whose process hosts the given actor path (from the actor's log line).</summary>
    public FarmProcess? NodeLogging(string text) => Nodes.FirstOrDefault(n => n.IsRunning && File.Exists(n.LogPath) && File.ReadAllText(n.LogPath).Contains(text));

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
        try { File.Copy(Nodes[0].LogPath, Path.Combine(TempDirectory.Root, "last-cluster-node1.log"), overwrite: true); } catch (IOException) { }
        await Git.DisposeAsync();
        foreach (var s in Servers) await s.DisposeAsync();
        Tree.Dispose();
        await Postgres.DropDatabaseAsync(Database);
        Root.Dispose();
    }
}
