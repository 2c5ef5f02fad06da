using System.Globalization;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Jobs;

namespace KernelFarm.Host.Gateway;

/// <summary>The job list's query parameters as a <see cref="JobFilter"/>, or a 400 naming the bad parameter.</summary>
public static class ListFilter
{
    public static (JobFilter? Filter, IResult? Problem) Parse(string? status, string? server, string? architecture, string? since, string? until)
    {
        JobStatus? state = null;
        if (status is not null)
        {
            if (!Enum.TryParse<JobStatus>(status, ignoreCase: true, out var s) || int.TryParse(status, out _))
                return (null, Problems.Invalid("status", $"must be one of {string.Join(", ", Enum.GetNames<JobStatus>().Select(n => n.ToLowerInvariant()))}"));
            state = s;
        }
        if (server is { Length: 0 or > 200 }) return (null, Problems.Invalid("server", "must be 1 to 200 characters"));
        if (architecture is { Length: 0 or > 64 }) return (null, Problems.Invalid("architecture", "must be 1 to 64 characters"));
        if (!TryTime(since, out var from)) return (null, Problems.Invalid("since", "must be an ISO 8601 time with offset, e.g. 2026-11-27T08:00:00Z"));
        if (!TryTime(until, out var to)) return (null, Problems.Invalid("until", "must be an ISO 8601 time with offset, e.g. 2026-11-27T09:00:00Z"));
        if (from is not null && to is not null && to <= from) return (null, Problems.Invalid("until", "must be later than since"));
        return (new JobFilter(state, server, architecture, from, to), null);
    }

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (text is null) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return false;
        time = t;
        return true;
    }
}
