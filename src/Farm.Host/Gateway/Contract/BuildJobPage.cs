namespace KernelFarm.Host.Gateway.Contract;

/// <summary>A page of the job list, newest first; <see cref="NextOffset"/> is null on the last page.</summary>
public sealed record BuildJobPage(int Total, int Offset, int Limit, int? NextOffset, IReadOnlyList<BuildJobView> Jobs);
