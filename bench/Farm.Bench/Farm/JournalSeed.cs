using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Messages.Servers;
using Microsoft.Data.Sqlite;
using static KernelFarm.Messages.Servers.ServerPoolEvents;

namespace KernelFarm.Bench.Farm;

/// <summary>
/// Writes events into a farm's SQLite journal before the farm starts, as if they had happened:
/// registering a server through the API needs a real SSH server, so simulated servers are
/// recovered by the pool from events instead.
/// </summary>
public static class JournalSeed
{
    /// <summary>Servers that are registered but draining: jobs are accepted (a server could run them) and then wait.</summary>
    public static async Task DrainingServersAsync(FarmSettings settings, string hoconDirectory, IReadOnlyList<BuildServer> servers)
    {
        var at = DateTimeOffset.UtcNow;
        var events = servers.Select(s => (object)new ServerRegistered(s, at))
            .Concat(servers.Select(s => (object)new DrainChanged(s.Id, true, at))).ToList();
        await PersistAsync(settings, hoconDirectory, "server-pool", events);
    }

    /// <summary>WAL mode, as the host sets it (Program.cs) before its journal opens the file.</summary>
    public static void EnableWal(FarmSettings settings)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        foreach (var file in SqliteFiles.For(settings).Distinct().Select(SqliteFiles.ConnectionString))
        {
            using var c = new SqliteConnection(file);
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL;";
            cmd.ExecuteNonQuery();
        }
    }

    private static async Task PersistAsync(FarmSettings settings, string hoconDirectory, string persistenceId, IReadOnlyList<object> events)
    {
        EnableWal(settings);
        using var system = LocalFarmSystem.Create("bench-seed", settings);
        var writer = system.ActorOf(Props.Create(() => new EventWriter(persistenceId)));
        await writer.Ask<Done>(events, TimeSpan.FromMinutes(2));
        await system.Terminate();
    }

    /// <summary>Persists the list of events it is sent under the given persistence id, then answers Done.</summary>
    internal sealed class EventWriter : ReceivePersistentActor
    {
        public EventWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<IReadOnlyList<object>>(events =>
            {
                var sender = Sender;
                PersistAll(events, _ => { });
                DeferAsync(events.Count, _ => sender.Tell(Done.Instance));
            });
        }

        public override string PersistenceId { get; }
    }
}
