using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KernelFarm.IntegrationTests.Farm;
using KernelFarm.IntegrationTests.Fixtures;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>Readiness follows the journal's database: a node that cannot reach it is not ready, and is again once it can.</summary>
[Trait("Tier", "Full")] // a PostgreSQL cluster
public sealed class HealthTests
{
    [Fact]
    public async Task Ready_turns_503_naming_the_journal_while_postgres_refuses_connections_and_back_to_200_after()
    {
        var database = await Postgres.CreateDatabaseAsync();
        var name = database.Split(';').First(p => p.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        using var root = TempDirectory.Create("health");
        await using var farm = await FarmProcess.StartAsync(root.Path, new Dictionary<string, string>
        {
            ["Farm__Persistence"] = "postgres",
            ["Farm__PostgresConnectionString"] = database,
        });
        using var anonymous = new HttpClient { BaseAddress = farm.Http.BaseAddress };
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz/ready")).StatusCode);

            await SetConnectionLimit(name, 0); // new sessions are refused: what a node sees when the database is gone
            var notReady = await anonymous.GetAsync("healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            var body = (await notReady.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Contains("too many connections", body["journal"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz/live")).StatusCode); // alive all the same

            await SetConnectionLimit(name, -1);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz/ready")).StatusCode);
        }
        finally
        {
            await SetConnectionLimit(name, -1);
            await farm.StopAsync(TimeSpan.FromSeconds(20));
            await Postgres.DropDatabaseAsync(database);
        }
    }

    private static Task SetConnectionLimit(string database, int limit) =>
        Proc.RunAsync("runuser", ["-u", "postgres", "--", "psql", "-q", "-c", $"ALTER DATABASE \"{database}\" CONNECTION LIMIT {limit}"], throwOnError: true);
}
