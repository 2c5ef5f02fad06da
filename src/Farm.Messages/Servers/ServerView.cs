namespace KernelFarm.Messages.Servers;

/// <summary>A registered server as the API shows it: the registration plus live accounting.</summary>
public sealed record ServerView(
    BuildServer Server,
    int SlotsInUse,
    IReadOnlyList<string> RunningJobs,
    ServerHealth Health,
    DateTimeOffset RegisteredAt,
    bool Draining = false,
    IReadOnlyList<DetectedToolchain>? DetectedToolchains = null,
    DetectedContainers? DetectedContainers = null,
    ServerCaches? Caches = null);
