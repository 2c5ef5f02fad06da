namespace KernelFarm.Cli.Http;

/// <summary>The farm's API routes (relative to the endpoint), with every id escaped as one path segment.</summary>
public static class ApiPaths
{
    public const string Servers = "api/v1/infrastructure/build-servers";
    public const string Jobs = "api/v1/infrastructure/build-jobs";
    public const string Cluster = "api/v1/cluster";
    public const string ClusterEvents = "api/v1/cluster/events";
    public const string Sharding = "api/v1/cluster/sharding";
    public const string Catalog = "api/v1/catalog";
    public const string Plans = "api/v1/plans";
    public const string Series = "api/v1/series";
    public const string Bisections = "api/v1/bisections";

    public static string Server(string id) => $"{Servers}/{Segment(id)}";
    public static string Job(string id) => $"{Jobs}/{Segment(id)}";
    public static string JobLog(string id) => $"{Job(id)}/log";
    public static string Plan(string id) => $"{Plans}/{Segment(id)}";
    public static string PlanCancel(string id) => $"{Plan(id)}/cancel";
    public static string OneSeries(string id) => $"{Series}/{Segment(id)}";
    public static string SeriesReport(string id) => $"{OneSeries(id)}/report";
    public static string SeriesReportText(string id) => $"{SeriesReport(id)}?format=text";
    public static string Bisection(string id) => $"{Bisections}/{Segment(id)}";
    public static string BisectionCancel(string id) => $"{Bisection(id)}/cancel";
    public static string Artifacts(string id) => $"{Job(id)}/artifacts";

    /// <summary>An artifact's relative path keeps its slashes; each segment is escaped.</summary>
    public static string Artifact(string id, string path) =>
        $"{Artifacts(id)}/{string.Join('/', path.Split('/').Select(Segment))}";

    public static string ClusterAction(string action) => $"{Cluster}/{action}";
    public static string Actors(int? depth) => depth is null ? $"{Cluster}/actors" : $"{Cluster}/actors?depth={depth}";

    public static string WithQuery(string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var parts = query.Where(kv => kv.Value is not null)
            .Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value!)}").ToList();
        return parts.Count == 0 ? path : $"{path}?{string.Join('&', parts)}";
    }

    private static string Segment(string s) => Uri.EscapeDataString(s);
}
