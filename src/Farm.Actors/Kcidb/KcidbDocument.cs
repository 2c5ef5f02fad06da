using System.Text.Json.Serialization;

namespace KernelFarm.Actors.Kcidb;

// KCIDB v5.3 (kernelci/kcidb-io kcidb_io/schema/v05_03.py): only the fields the schema defines, with its
// names. The schema allows no nulls ("no properties can be null"): an unknown value is left out.

/// <summary>A KCIDB report: the schema version, then checkouts, their builds and the builds' tests.</summary>
public sealed record KcidbDocument(
    [property: JsonPropertyName("version")] KcidbVersion Version,
    [property: JsonPropertyName("checkouts")] IReadOnlyList<KcidbCheckout> Checkouts,
    [property: JsonPropertyName("builds")] IReadOnlyList<KcidbBuild> Builds,
    [property: JsonPropertyName("tests")] IReadOnlyList<KcidbTest> Tests);

public sealed record KcidbVersion(
    [property: JsonPropertyName("major")] int Major,
    [property: JsonPropertyName("minor")] int Minor)
{
    public static readonly KcidbVersion V5_3 = new(5, 3);
}

/// <summary>A named remote file (the schema's "resource"): the name has no '/'.</summary>
public sealed record KcidbResource(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string Url);

/// <summary>One source checkout: a repository, a branch and the commit it resolved to.</summary>
public sealed record KcidbCheckout
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("git_repository_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? GitRepositoryUrl { get; init; }
    [JsonPropertyName("git_commit_hash"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? GitCommitHash { get; init; }
    [JsonPropertyName("git_commit_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? GitCommitName { get; init; }
    [JsonPropertyName("git_repository_branch"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? GitRepositoryBranch { get; init; }
    [JsonPropertyName("start_time"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? StartTime { get; init; }
    [JsonPropertyName("valid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Valid { get; init; }
    [JsonPropertyName("misc"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Misc { get; init; }
}

/// <summary>One build: one farm job.</summary>
public sealed record KcidbBuild
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("checkout_id")] public required string CheckoutId { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("comment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Comment { get; init; }
    [JsonPropertyName("start_time"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? StartTime { get; init; }
    [JsonPropertyName("duration"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Duration { get; init; }
    [JsonPropertyName("architecture"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Architecture { get; init; }
    [JsonPropertyName("compiler"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Compiler { get; init; }
    [JsonPropertyName("output_files"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<KcidbResource>? OutputFiles { get; init; }
    [JsonPropertyName("config_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ConfigName { get; init; }
    [JsonPropertyName("config_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ConfigUrl { get; init; }
    [JsonPropertyName("log_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? LogUrl { get; init; }
    /// <summary>FAIL, ERROR, MISS, PASS or SKIP; left out while the job runs (<see cref="KcidbStatus"/>).</summary>
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Status { get; init; }
    [JsonPropertyName("misc"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Misc { get; init; }
}

/// <summary>One test run on a build: the farm's boot test, path "boot".</summary>
public sealed record KcidbTest
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("build_id")] public required string BuildId { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("path")] public required string Path { get; init; }
    [JsonPropertyName("comment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Comment { get; init; }
    [JsonPropertyName("log_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? LogUrl { get; init; }
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Status { get; init; }
    [JsonPropertyName("start_time"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? StartTime { get; init; }
    [JsonPropertyName("duration"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Duration { get; init; }
}
