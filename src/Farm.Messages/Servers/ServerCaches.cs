namespace KernelFarm.Messages.Servers;

/// <summary>A repository's bare mirror in a server's git cache, as the last probe found it.</summary>
public sealed record CachedRepository(string Name, long Bytes, DateTimeOffset? LastUsed);

/// <summary>
/// A server's caches as the last probe found them (README "Caches"): the git mirrors, ccache's size,
/// and the mirrors that probe evicted to keep the git cache under its limit.
/// </summary>
public sealed record ServerCaches(IReadOnlyList<CachedRepository> Repositories, long? CcacheBytes, IReadOnlyList<string> Evicted)
{
    public long GitBytes => Repositories.Sum(r => r.Bytes);
}
