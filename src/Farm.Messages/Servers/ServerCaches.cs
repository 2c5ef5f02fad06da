namespace KernelFarm.Messages.Servers;

/// <summary>A repository's bare mirror in a server's git cache, as the last probe found it.</summary>
public sealed record CachedRepository(string Name, long Bytes, DateTimeOffset? LastUsed);

/// <summary>
/// A server's caches as the last probe found them (README "Caches"): the git mirrors, ccache's size,
/// and the mirrors that probe evicted to keep the git cache under its limit.
/// </summary>
/// <param name="Trees">The built trees patch series left for the next series of their kind (docs/series.md), named by their key.</param>
public sealed record ServerCaches(IReadOnlyList<CachedRepository> Repositories, long? CcacheBytes, IReadOnlyList<string> Evicted,
    IReadOnlyList<CachedRepository>? Trees = null)
{
    public long GitBytes => Repositories.Sum(r => r.Bytes);
}
