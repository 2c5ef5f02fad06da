namespace KernelFarm.Cli.Jobs;

/// <summary>
/// When a job has ended. The list of states is the farm's (GET /api/v1/catalog); this one rule stays
/// here because waiting, following and durations are decided on every poll from the job alone
/// (JobStatesTests holds it to the farm's own final states).
/// </summary>
public static class JobStates
{
    public static bool IsTerminal(string? status) => status is "completed" or "failed" or "cancelled";
}
