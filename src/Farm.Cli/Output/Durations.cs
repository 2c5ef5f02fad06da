using System.Globalization;

namespace KernelFarm.Cli.Output;

/// <summary>Short human durations: "0s", "45s", "3m 07s", "1h 02m", "2d 03h".</summary>
public static class Durations
{
    public static string Format(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        var s = (long)d.TotalSeconds;
        return s switch
        {
            < 60 => $"{s}s",
            < 3600 => $"{s / 60}m {s % 60:00}s",
            < 86400 => $"{s / 3600}h {s % 3600 / 60:00}m",
            _ => $"{s / 86400}d {s % 86400 / 3600:00}h",
        };
    }

    /// <summary>
    /// A relative time as "30s", "15m", "2h", "7d", "1w" (a duration back from now), or null when
    /// the text is not one (then it is sent as given, as an ISO 8601 time).
    /// </summary>
    public static TimeSpan? ParseRelative(string text)
    {
        var t = text.Trim();
        if (t.Length < 2) return null;
        var unit = char.ToLowerInvariant(t[^1]);
        if (!long.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000) return null;
        return unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            _ => null,
        };
    }

    /// <summary>"--since 2h" becomes the ISO 8601 time two hours before <paramref name="now"/>; anything else is passed on as given.</summary>
    public static string ToTimeParameter(string text, DateTimeOffset now) =>
        ParseRelative(text) is { } ago
            ? (now - ago).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : text.Trim();

    /// <summary>A JSON timestamp as local-free UTC text "2026-11-27 08:00:03Z", or null.</summary>
    public static string? Timestamp(string? iso) =>
        iso is not null && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : iso;
}
