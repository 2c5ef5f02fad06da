using System.Text;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>
/// A job's series request as the job view shows it: how the patches were given and whether the
/// series goes on after a failed build. The mbox itself (up to 512 KiB) is not repeated in every job
/// view and job list: <c>GET /api/v1/series/{id}</c> has each patch's subject, author and result.
/// </summary>
public sealed record SeriesRequestView
{
    /// <summary>"BASE..HEAD" when the patches are a range of the repository; null for an mbox.</summary>
    public string? Range { get; init; }
    /// <summary>The size of the submitted mbox in bytes (UTF-8); null for a range.</summary>
    public int? MboxBytes { get; init; }
    public bool ContinueOnFailure { get; init; }
    public bool StepArtifacts { get; init; }

    public static SeriesRequestView? From(SeriesRequest? series) => series is null ? null : new SeriesRequestView
    {
        Range = series.Range,
        MboxBytes = series.Mbox is null ? null : Encoding.UTF8.GetByteCount(series.Mbox),
        ContinueOnFailure = series.ContinueOnFailure,
        StepArtifacts = series.StepArtifacts,
    };
}
