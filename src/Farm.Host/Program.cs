using System.Net;
using System.Net.Sockets;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Host;
using KernelFarm.Host.Auth;
using KernelFarm.Host.Dashboard;
using KernelFarm.Host.Gateway;
using KernelFarm.Host.Telemetry;
using KernelFarm.Messages.Serialization;
using Microsoft.Data.Sqlite;

FarmThreadPool.Configure();
var builder = WebApplication.CreateBuilder(args);
// ASP.NET Core logs two lines per request at Information: at a few hundred submissions a second
// the console logger's lock and queue become the host's bottleneck. Warning is the default here;
// configuration (Logging__LogLevel__Microsoft.AspNetCore=Information) still overrides it.
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")],
});
var settings = builder.Configuration.GetSection("Farm").Get<FarmSettings>() ?? new FarmSettings();
if (settings.Persistence is not ("sqlite" or "postgres"))
    throw new InvalidOperationException($"Farm:Persistence must be 'sqlite' or 'postgres', not '{settings.Persistence}'");
KernelFarm.Actors.Webhooks.FarmAddresses.Validate(settings.Webhooks);
KernelFarm.Actors.Kcidb.KcidbOrigin.Validate(settings.Kcidb); // refuses an origin KCIDB would refuse
KernelFarm.Actors.Kcidb.KcidbPushRules.Validate(settings.Kcidb); // and a push that could not work
// The addresses this node serves HTTP on are its own: webhooks may not call them (docs/webhooks.md).
foreach (var url in (builder.Configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    if (Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var listen))
        settings.Webhooks.OwnAddresses.Add(listen.Host);
builder.Services.AddSingleton(settings);

Directory.CreateDirectory(settings.DataDirectory);
Directory.CreateDirectory(settings.ArtifactStoragePath);
if (!FarmConfig.UsesPostgres(settings))
{
    foreach (var file in SqliteFiles.For(settings).Distinct()) EnableWal(SqliteFiles.ConnectionString(file));
}

var port = settings.ClusterPort != 0 ? settings.ClusterPort : FreePort(settings.ClusterHostname);
// Refuses to start when the node has peers but no cluster certificate (docs/cluster-tls.md).
var clusterCredential = ClusterCredential.For(settings, port);

// Every request body is bounded (BodySizeLimit answers 413); endpoints may lower it (sign-in: 4 KiB).
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    FarmJson.Configure(o.SerializerOptions);
    // Bodies are read with FarmJson.Options (numbers only as numbers): the OpenAPI document, generated
    // from these options, must not promise that "1" is read as 1 as the web defaults would.
    o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
});
builder.Services.AddProblemDetails();
builder.Services.AddFarmTelemetry();
builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
{
    doc.Info.Title = "KernelFarm API";
    doc.Info.Description = "Distributed Linux kernel build farm. Bearer tokens with roles viewer, submitter, operator.";
    // No server URL: the document is the same whatever address it was fetched at (docs/openapi.json is its copy).
    doc.Servers = [];
    return Task.CompletedTask;
}).AddSchemaTransformer(ProblemSchema.TransformAsync).AddSchemaTransformer(EnumSchema.TransformAsync));
builder.AddFarmAuth(); // refuses to start without tokens unless Farm__Auth__Disabled=true
builder.Services.AddAkka(FarmConfig.SystemName, (akka, _) =>
{
    akka.WithFarmNode(settings, port, clusterCredential, Path.Combine(AppContext.BaseDirectory, "hocon"))
        .ConfigureLoggers(l =>
        {
            l.LogLevel = Akka.Event.LogLevel.InfoLevel;
            l.AddLoggerFactory();
        })
        .AddBuildFarm(settings);
});

var app = builder.Build();
app.Logger.LogInformation("Cluster TLS: {Credential}", clusterCredential.Ephemeral
    ? "lone node, throw-away certificate: no other process can join this node (set Farm__ClusterTls__CertificatePath to form a cluster)"
    : $"certificate {clusterCredential.Certificate.Subject} ({clusterCredential.Certificate.Thumbprint}), " +
      $"peers must chain to {string.Join(", ", clusterCredential.ClusterCa.Select(c => $"{c.Subject} ({c.Thumbprint})"))}");
// An actor that did not answer in time (a singleton moving, a busy journal) is a temporary condition: 503, not 500.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = e => e is Akka.Actor.AskTimeoutException ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();
app.UseBodySizeLimit();
app.UseDashboard(); // public static files, before authentication
app.UseFarmAuth();
if (settings.HasRole(FarmAkkaExtensions.GatewayRole))
{
    app.MapJobEndpoints(settings);
    app.MapServerEndpoints(settings);
    app.MapClusterEndpoints(settings);
    app.MapStatsEndpoints(settings);
    app.MapCatalogEndpoints(settings);
    app.MapPlanEndpoints(settings);
    app.MapSeriesEndpoints(settings);
    app.MapBisectionEndpoints(settings);
    app.MapKcidbEndpoints(settings);
    app.MapSessionEndpoints();
}
app.MapHealthEndpoints();
app.MapFarmMetrics();
app.MapOpenApi(); // /openapi/v1.json, generated from the endpoints themselves
app.Run();

// WAL lets the journal, the snapshot store and the read side share the file without blocking.
static void EnableWal(string connectionString)
{
    using var c = new SqliteConnection(connectionString);
    c.Open();
    using var cmd = c.CreateCommand();
    cmd.CommandText = "PRAGMA journal_mode=WAL;";
    cmd.ExecuteNonQuery();
}

static int FreePort(string host)
{
    using var l = new TcpListener(IPAddress.Parse(host), 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}
