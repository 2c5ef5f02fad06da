using System.Diagnostics;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;
using static KernelFarm.Messages.Jobs.BuildJobEvents;

namespace KernelFarm.Actors.Telemetry;

/// <summary>Turns a job's live transitions into <see cref="FarmMetrics"/> measurements (never on recovery: nothing is counted twice).</summary>
public static class JobTelemetry
{
    public static void Record(JobState before, IJobEvent e)
    {
        var leavesStep = e is StepStarted or Completed or Failed or AttemptFailed or Cancelled;
        if (leavesStep && before.Status is >= JobStatus.Preparing and <= JobStatus.Transferring && before.Transitions.Count > 0)
        {
            var seconds = (e.At - before.Transitions[^1].At).TotalSeconds;
            if (seconds >= 0)
                FarmMetrics.StepDuration.Record(seconds, new TagList { { "step", before.Status.ToString().ToLowerInvariant() }, { "architecture", before.Request?.TargetArchitecture } });
        }
        switch (e)
        {
            case Completed c:
                FarmMetrics.JobsEnded.Add(1, new TagList { { "status", "completed" } });
                FarmMetrics.ArtifactBytes.Add(c.Artifacts.Sum(a => a.Size));
                break;
            case Failed f:
                FarmMetrics.JobsEnded.Add(1, new TagList { { "status", "failed" }, { "kind", f.Failure.Kind.ToString().ToLowerInvariant() } });
                break;
            case Cancelled:
                FarmMetrics.JobsEnded.Add(1, new TagList { { "status", "cancelled" } });
                break;
            case BootTested b:
                FarmMetrics.BootTests.Add(1, new TagList { { "status", b.Result.Status.ToString().ToLowerInvariant() }, { "architecture", before.Request?.TargetArchitecture } });
                break;
            case AttemptFailed a:
                FarmMetrics.Retries.Add(1, new TagList { { "server", a.ServerId } });
                break;
        }
    }
}
