using System.Text;
using Akka.Actor;
using Akka.Configuration;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Builds the node's Akka configuration: the files in hocon/ (cluster, sharding, persistence)
/// with the "kfarm" values from <see cref="FarmSettings"/> in front, parsed as one document so
/// the files' substitutions see them.
/// </summary>
public static class FarmConfig
{
    public static string SqliteConnectionString(FarmSettings s) => SqliteFiles.ConnectionString(SqliteFiles.For(s).Journal);

    public static Config Build(FarmSettings settings, string hoconDirectory, int actualPort)
    {
        var seeds = Seeds(settings, actualPort);
        var prelude = new StringBuilder()
            .AppendLine($"kfarm.hostname = {Q(settings.ClusterHostname)}")
            .AppendLine($"kfarm.port = {actualPort}")
            .AppendLine($"kfarm.seed-nodes = [{string.Join(", ", seeds.Select(Q))}]")
            .AppendLine($"kfarm.seed-node-timeout = {SeedNodeTimeout(seeds, settings.ClusterHostname, actualPort)}")
            .AppendLine($"kfarm.sbr-stable-after = {(int)settings.DowningStableAfter.TotalMilliseconds}ms")
            .AppendLine($"kfarm.roles = [{string.Join(", ", settings.EffectiveRoles.Select(Q))}]")
            .AppendLine(ConnectionStrings(settings));
        var persistence = UsesPostgres(settings) ? "persistence-postgres.hocon" : "persistence-sqlite.hocon";
        var text = prelude + File.ReadAllText(Path.Combine(hoconDirectory, "farm.hocon")) + "\n"
                   + File.ReadAllText(Path.Combine(hoconDirectory, persistence));
        return ConfigurationFactory.ParseString(text);
    }

    /// <summary>The seed nodes (this node alone when none are set), each in the TLS scheme (<see cref="NodeAddress"/>).</summary>
    public static IReadOnlyList<string> Seeds(FarmSettings settings, int actualPort) =>
        settings.SeedNodes.Count > 0
            ? settings.SeedNodes.Select(NodeAddress).ToList()
            : [$"{Protocol}://{SystemName}@{settings.ClusterHostname}:{actualPort}"];

    /// <summary>Whether no other node is among the seeds: a node that can run with a throw-away credential (<see cref="ClusterCredential"/>).</summary>
    public static bool IsLone(FarmSettings settings, int actualPort)
    {
        var self = new Address(Protocol, SystemName, settings.ClusterHostname, actualPort);
        return Seeds(settings, actualPort).All(s => TryParse(s) is { } a && a.Equals(self));
    }

    /// <summary>
    /// Remoting always runs over TLS (hocon/farm.hocon), whose addresses are akka.ssl.tcp://; an
    /// address written akka.tcp:// (the scheme of earlier releases) means the same node.
    /// </summary>
    public static string NodeAddress(string address) =>
        address.StartsWith(PlainPrefix, StringComparison.Ordinal) ? Protocol + "://" + address[PlainPrefix.Length..] : address;

    public const string Protocol = "akka.ssl.tcp";
    private const string PlainPrefix = "akka.tcp://";

    private static Address? TryParse(string address)
    {
        try { return Address.Parse(address); }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException) { return null; }
    }

    /// <summary>The journals' connection strings: one PostgreSQL database, or the SQLite files of <see cref="SqliteFiles"/>.</summary>
    private static string ConnectionStrings(FarmSettings settings)
    {
        string Line(string key, string value) => $"kfarm.{key} = {Q(value)}\n";
        if (UsesPostgres(settings))
            return Line("connection-string", settings.PostgresConnectionString)
                   + Line("queue-connection-string", settings.PostgresConnectionString)
                   + Line("sharding-connection-string", settings.PostgresConnectionString);
        var files = SqliteFiles.For(settings);
        return Line("connection-string", SqliteFiles.ConnectionString(files.Journal))
               + Line("queue-connection-string", SqliteFiles.ConnectionString(files.Queue))
               + Line("sharding-connection-string", SqliteFiles.ConnectionString(files.Sharding));
    }

    /// <summary>
    /// Akka's seed-node-timeout for this node. The first seed node of several (the only one that
    /// can form a cluster) waits "forever" for an answer from every other seed node, so it forms a
    /// new cluster only when all of them answer that they are not members (InitJoinNack) and joins
    /// the running cluster however late a member answers (hocon/farm.hocon). 20 days is never in
    /// practice; not "infinite", which Akka reads as -1 ms: a deadline overdue at once.
    /// Every other node keeps Akka's 5 s, its interval between join attempts.
    /// </summary>
    public static string SeedNodeTimeout(IReadOnlyList<string> seeds, string hostname, int port) =>
        IsFirstOfSeveralSeeds(seeds, hostname, port) ? "20d" : "5s";

    /// <summary>Whether Akka runs its first-seed-node process here: the same test as Akka's (address equality).</summary>
    public static bool IsFirstOfSeveralSeeds(IReadOnlyList<string> seeds, string hostname, int port) =>
        seeds.Count > 1 && Address.Parse(NodeAddress(seeds[0])).Equals(new Address(Protocol, SystemName, hostname, port));

    /// <summary>The actor system's name (Program.cs), part of every node's address.</summary>
    public const string SystemName = "kernelfarm";

    public static bool UsesPostgres(FarmSettings s) => s.Persistence.Equals("postgres", StringComparison.OrdinalIgnoreCase);

    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
