using KernelFarm.Actors.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace KernelFarm.Host.Telemetry;

/// <summary>OpenTelemetry metrics (the farm's meter, ASP.NET Core's, the runtime's) exported for Prometheus at /metrics.</summary>
public static class TelemetrySetup
{
    public static IServiceCollection AddFarmTelemetry(this IServiceCollection services)
    {
        services.AddSingleton(new MetricsHistory()); // 10 s samples for 24 h, this node only
        services.AddHostedService<GaugeRefresher>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("kernelfarm"))
            .WithMetrics(m => m
                .AddMeter(FarmMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        return services;
    }

    public static void MapFarmMetrics(this IEndpointRouteBuilder app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
