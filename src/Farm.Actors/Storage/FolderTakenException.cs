namespace KernelFarm.Actors.Storage;

/// <summary>&lt;root&gt;/&lt;job-id&gt; exists and does not carry the job's marker: it is left as it is.</summary>
public sealed class FolderTakenException(string folder, string jobId)
    : IOException($"{folder} exists and is not job {jobId}'s folder (no {ArtifactStore.OwnerMarker} naming it); it was left untouched and nothing was published");
