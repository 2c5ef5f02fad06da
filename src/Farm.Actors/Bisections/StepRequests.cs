using KernelFarm.Messages.Bisections;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Bisections;

/// <summary>The job each step queues: the bisection's build at one commit, or the listing of the range.</summary>
public static class StepRequests
{
    public static BuildJobRequest For(BisectionRecord r, BisectStep step)
    {
        var t = r.Request.Template with { SubmittedBy = r.SubmittedBy, Webhooks = [] };
        if (step.Role == StepRole.List)
            return t with
            {
                CommitHash = "HEAD",
                NoCache = true,
                ListRange = new RangeListing { Good = r.Request.Good, Bad = r.Request.Bad },
                BuildConfig = t.BuildConfig with { BootTest = false, ContainerImage = null, Targets = null, ArtifactPatterns = [], KeepWorkspace = false },
            };
        var commit = r.Commits[step.Index ?? throw new ArgumentException("a build step names its commit", nameof(step))];
        return t with
        {
            CommitHash = commit.Sha,
            BuildConfig = r.Request.Criterion.Kind == CriterionKind.BootFails ? t.BuildConfig with { BootTest = true } : t.BuildConfig,
        };
    }
}
