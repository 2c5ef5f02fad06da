namespace KernelFarm.Cli.Jobs;

/// <summary>The farm's job states as the API spells them.</summary>
public static class JobStates
{
    public static readonly IReadOnlyList<string> All =
        ["queued", "assigned", "preparing", "configuring", "building", "collecting", "booting", "transferring", "completed", "failed", "cancelled"];

    public static bool IsTerminal(string? status) => status is "completed" or "failed" or "cancelled";
}
