using System.Text;
using Akka.Configuration;

namespace KernelFarm.Actors.Hosting;

/// <summary>
/// Builds the node's Akka configuration: the files in hocon/ (cluster, sharding, persistence)
/// with the "kfarm" values from <see cref="FarmSettings"/> in front, parsed as one document so
/// the files' substitutions see them.
/// </summary>
public static class FarmConfig
{
    public static string SqliteConnectionString(FarmSettings s) =>
        $"Data Source={Path.Combine(s.DataDirectory, "farm.db")};Default Timeout=30;Pooling=True";

    public static Config Build(FarmSettings settings, string hoconDirectory, int actualPort)
    {
        var seeds = settings.SeedNodes.Count > 0
            ? settings.SeedNodes
            : [$"akka.tcp://kernelfarm@{settings.ClusterHostname}:{actualPort}"];
        var prelude = new StringBuilder()
            .AppendLine($"kfarm.hostname = {Q(settings.ClusterHostname)}")
            .AppendLine($"kfarm.port = {actualPort}")
            .AppendLine($"kfarm.seed-nodes = [{string.Join(", ", seeds.Select(Q))}]")
            .AppendLine($"kfarm.sbr-stable-after = {(int)settings.DowningStableAfter.TotalMilliseconds}ms")
            .AppendLine($"kfarm.roles = [{string.Join(", ", settings.EffectiveRoles.Select(Q))}]")
            .AppendLine($"kfarm.connection-string = {Q(UsesPostgres(settings) ? settings.PostgresConnectionString : SqliteConnectionString(settings))}");
        var persistence = UsesPostgres(settings) ? "persistence-postgres.hocon" : "persistence-sqlite.hocon";
        var text = prelude + File.ReadAllText(Path.Combine(hoconDirectory, "farm.hocon")) + "\n"
                   + File.ReadAllText(Path.Combine(hoconDirectory, persistence));
        return ConfigurationFactory.ParseString(text);
    }

    public static bool UsesPostgres(FarmSettings s) => s.Persistence.Equals("postgres", StringComparison.OrdinalIgnoreCase);

    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
