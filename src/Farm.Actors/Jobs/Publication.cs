using Akka.Actor;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Storage;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Builds the <see cref="ArtifactTransferActor"/> that carries out a <see cref="JobEffect.Publish"/>:
/// the job folder's root (output_directory or storage), its metadata.json and reproducer.sh. Everything
/// the transfer needs is captured here; it reads the log on its own thread, never the job's state.
/// </summary>
public static class Publication
{
    public static Props Props(string jobId, JobState state, JobRecord record, JobEffect.Publish publish, IActorRef session, ArtifactStore store,
        FarmSettings settings)
    {
        var output = state.Request!.BuildConfig.OutputDirectory;
        var root = ArtifactStore.RootFor(output, settings.ArtifactStoragePath);
        var refusedRoot = output is null ? null : OutputDirectoryRule.Check(output, settings.ArtifactStoragePath, settings.EffectiveOutputRoots);
        var plan = BuildPlan.From(jobId, state.Request!, state.Placement!, state.Workspace!, ArchitectureCatalog.Default);
        // This attempt's part of the central log: what the script reported about the build.
        var (livePath, logBase, secretEnv) = (store.LiveLogPath(jobId), state.LogBase, state.Request!.BuildConfig.SecretEnv.ToHashSet());
        var facts = new Lazy<BuildLogFacts>(() => BuildLogFacts.Parse(ReadLogFrom(livePath, logBase)));
        return ArtifactTransferActor.Props(session, state.Workspace!, root, jobId, livePath, publish.IncludeArtifacts,
            artifacts => JobMetadata.Describe(record with { Artifacts = artifacts }, publish.Failure, facts.Value, plan.EffectiveTargets, plan.Jobs, plan.Container),
            () => new Dictionary<string, string>
            {
                ["reproducer.sh"] = Reproducer.Generate(plan, facts.Value.Fact("git_commit"), secretEnv),
            }, settings.Limits, refusedRoot, () => new BuildDiagnostics(facts.Value.Warnings, facts.Value.Errors));
    }

    private static string ReadLogFrom(string path, long offset)
    {
        if (!File.Exists(path)) return "";
        using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        log.Seek(Math.Min(offset, log.Length), SeekOrigin.Begin);
        return new StreamReader(log).ReadToEnd();
    }
}
