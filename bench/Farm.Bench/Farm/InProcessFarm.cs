using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using KernelFarm.Actors;
using KernelFarm.Actors.Hosting;
using KernelFarm.Messages.Queue;
using KernelFarm.Messages.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KernelFarm.Bench.Farm;

/// <summary>
/// A one-node farm inside this process, configured as the host configures itself (Program.cs):
/// Akka.Hosting's options through <see cref="FarmNode.WithFarmNode"/>, the SQLite journal in WAL mode, the farm's
/// actors through <see cref="FarmAkkaExtensions.AddBuildFarm"/> (cluster singletons, sharded
/// job actors with remember-entities, the job index) — everything but HTTP.
/// </summary>
public sealed class InProcessFarm : IAsyncDisposable
{
    private readonly IHost _host;

    public ActorSystem System { get; }
    public IActorRef Queue { get; }
    public IActorRef Pool { get; }
    /// <summary>The build-job shard region.</summary>
    public IActorRef Jobs { get; }
    public FarmSettings Settings { get; }

    private InProcessFarm(IHost host, FarmSettings settings)
    {
        _host = host;
        Settings = settings;
        System = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        Queue = registry.Get<BuildQueue>();
        Pool = registry.Get<ServerPool>();
        Jobs = registry.Get<BuildJobs>();
    }

    public static async Task<InProcessFarm> StartAsync(FarmSettings settings, string hoconDirectory, CancellationToken ct)
    {
        FarmThreadPool.Configure(); // as the host does first
        JournalSeed.EnableWal(settings);
        Directory.CreateDirectory(settings.ArtifactStoragePath);
        var port = FreePort(settings.ClusterHostname);
        var credential = ClusterCredential.For(settings, port);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(settings);
        builder.Services.AddAkka(FarmConfig.SystemName, (akka, _) =>
        {
            akka.WithFarmNode(settings, port, credential, hoconDirectory)
                .ConfigureLoggers(l =>
                {
                    l.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    l.AddLoggerFactory();
                })
                .AddBuildFarm(settings);
        });
        var host = builder.Build();
        await host.StartAsync(ct);
        var farm = new InProcessFarm(host, settings);
        await farm.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
        return farm;
    }

    /// <summary>As /healthz/ready: an Up member whose queue singleton answers.</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (Cluster.Get(System).SelfMember.Status == MemberStatus.Up)
            {
                try
                {
                    await Queue.Ask<QueueReplies.Stats>(QueueCommands.GetStats.Instance, TimeSpan.FromSeconds(2), ct);
                    await Pool.Ask<ServerPoolReplies.ServerList>(ServerPoolCommands.List.Instance, TimeSpan.FromSeconds(2), ct);
                    return;
                }
                catch (AskTimeoutException) { /* singletons still starting */ }
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException("the in-process farm did not become ready");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }

    private static int FreePort(string host)
    {
        using var l = new TcpListener(IPAddress.Parse(host), 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
