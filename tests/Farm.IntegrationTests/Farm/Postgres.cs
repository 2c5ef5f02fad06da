using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// The real PostgreSQL server started by scripts/postgres-setup.sh (also run by .ci/run); each
/// cluster test gets a database of its own.
/// </summary>
public static class Postgres
{
    public const string Server = "Host=127.0.0.1;Username=kernelfarm;Password=kernelfarm";

    public static async Task<string> CreateDatabaseAsync()
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/postgres-setup.sh"));
        await Proc.RunAsync("bash", [script], throwOnError: true);
        var name = "kf_" + Guid.NewGuid().ToString("N")[..12];
        await Proc.RunAsync("runuser", ["-u", "postgres", "--", "createdb", "-O", "kernelfarm", name], throwOnError: true);
        return $"{Server};Database={name}";
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = connectionString.Split(';').First(p => p.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        await Proc.RunAsync("runuser", ["-u", "postgres", "--", "dropdb", "--if-exists", "--force", name]);
    }
}
