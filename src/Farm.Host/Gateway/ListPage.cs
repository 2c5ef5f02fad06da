namespace KernelFarm.Host.Gateway;

/// <summary>
/// A page of a list bounded in bytes as well as in items: jobs carry their whole request, so 50 jobs
/// of a megabyte each would make one answer of 50 MB. A page takes items while they fit in the budget,
/// always at least one (so a client paging by next_offset always moves on).
/// </summary>
public static class ListPage
{
    /// <summary>The job list's <c>limit</c>: at most this many jobs a page, this many when not given.</summary>
    public const int MaxLimit = 1000, DefaultLimit = 100;

    /// <returns>How many of <paramref name="sizes"/> (in order) the page takes.</returns>
    public static int Fit(IEnumerable<int> sizes, long maxBytes)
    {
        long used = 0;
        var count = 0;
        foreach (var size in sizes)
        {
            if (count > 0 && used + size > maxBytes) break;
            used += size;
            count++;
        }
        return count;
    }
}
