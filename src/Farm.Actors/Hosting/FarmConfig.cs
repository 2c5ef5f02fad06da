using Akka.Actor;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// The node's place in the cluster as the settings give it: its seed nodes, its address, its
/// seed-node-timeout (<see cref="FarmNode"/> turns these into Akka.Hosting options).
/// </summary>
public static class FarmConfig
{
    public static string SqliteConnectionString(FarmSettings s) => SqliteFiles.ConnectionString(SqliteFiles.For(s).Journal);

    /// <summary>The seed nodes (this node alone when none are set), each in the TLS scheme (<see cref="NodeAddress"/>).</summary>
    public static IReadOnlyList<string> Seeds(FarmSettings settings, int actualPort) =>
        settings.SeedNodes.Count > 0
            ? settings.SeedNodes.Select(NodeAddress).ToList()
            : [new Address(Protocol, SystemName, settings.ClusterHostname, actualPort).ToString()];

    /// <summary>Whether no other node is among the seeds: a node that can run with a throw-away credential (<see cref="ClusterCredential"/>).</summary>
    public static bool IsLone(FarmSettings settings, int actualPort)
    {
        var self = new Address(Protocol, SystemName, settings.ClusterHostname, actualPort);
        return Seeds(settings, actualPort).All(s => TryParse(s) is { } a && a.Equals(self));
    }

    /// <summary>
    /// Remoting always runs over TLS (FarmNode.Remoting), whose addresses are akka.ssl.tcp://; an
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

    /// <summary>
    /// Akka's seed-node-timeout for this node. The first seed node of several (the only one that
    /// can form a cluster) waits "forever" for an answer from every other seed node, so it forms a
    /// new cluster only when all of them answer that they are not members (InitJoinNack) and joins
    /// the running cluster however late a member answers (docs/cluster.md). 20 days is never in
    /// practice; not "infinite", which Akka reads as -1 ms: a deadline overdue at once.
    /// Every other node keeps Akka's 5 s, its interval between join attempts.
    /// </summary>
    public static TimeSpan SeedNodeTimeout(IReadOnlyList<string> seeds, string hostname, int port) =>
        IsFirstOfSeveralSeeds(seeds, hostname, port) ? TimeSpan.FromDays(20) : TimeSpan.FromSeconds(5);

    /// <summary>Whether Akka runs its first-seed-node process here: the same test as Akka's (address equality).</summary>
    public static bool IsFirstOfSeveralSeeds(IReadOnlyList<string> seeds, string hostname, int port) =>
        seeds.Count > 1 && Address.Parse(NodeAddress(seeds[0])).Equals(new Address(Protocol, SystemName, hostname, port));

    /// <summary>The actor system's name (Program.cs), part of every node's address.</summary>
    public const string SystemName = "kernelfarm";

    public static bool UsesPostgres(FarmSettings s) => s.Persistence.Equals("postgres", StringComparison.OrdinalIgnoreCase);
}
