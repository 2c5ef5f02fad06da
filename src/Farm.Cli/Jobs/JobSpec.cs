using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Jobs;

/// <summary>
/// `jobs submit` flags. Over a --file they override field by field: a list flag replaces the
/// file's list, --env adds to (and overrides keys of) the file's custom_env.
/// </summary>
public sealed record JobSpec
{
    public string? Repo { get; init; }
    public string? Branch { get; init; }
    public string? Commit { get; init; }
    public string? Arch { get; init; }
    public string? Toolchain { get; init; }
    public string? KernelConfig { get; init; }
    public IReadOnlyList<string> Fragments { get; init; } = [];
    public IReadOnlyList<string> MakeOpts { get; init; } = [];
    /// <summary>--target: build_config.targets (replaces the file's list).</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    public IReadOnlyList<string> Artifacts { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public int? Priority { get; init; }
    public int? TimeoutMinutes { get; init; }
    /// <summary>--boot-test: set build_config.boot_test (absent: the file's value, else the farm's default, off).</summary>
    public bool BootTest { get; init; }
    /// <summary>--no-cache: build even when a completed build had the same inputs (no_cache).</summary>
    public bool NoCache { get; init; }

    public JsonObject ToRequest(JsonObject? file = null)
    {
        var body = file?.DeepClone().AsObject() ?? new JsonObject();
        Set(body, "source_repository", Repo);
        Set(body, "branch", Branch);
        Set(body, "commit_hash", Commit);
        Set(body, "target_architecture", Arch);
        Set(body, "toolchain", Toolchain);
        if (Priority is not null) body["priority"] = Priority.Value;
        if (NoCache) body["no_cache"] = true;

        if (body["build_config"] is not null and not JsonObject)
            throw CliException.Usage("build_config in the file must be an object");
        var config = body["build_config"] as JsonObject ?? new JsonObject();
        Set(config, "kernel_config", KernelConfig);
        SetList(config, "kconfig_fragments", Fragments);
        SetList(config, "extra_make_args", MakeOpts);
        SetList(config, "targets", Targets);
        SetList(config, "artifact_patterns", Artifacts);
        if (TimeoutMinutes is not null) config["timeout_minutes"] = TimeoutMinutes.Value;
        if (BootTest) config["boot_test"] = true;
        if (Env.Count > 0)
        {
            if (config["custom_env"] is not null and not JsonObject) throw CliException.Usage("build_config.custom_env in the file must be an object");
            var env = config["custom_env"] as JsonObject ?? new JsonObject();
            foreach (var assignment in Env)
            {
                var (key, value) = EnvAssignment.Parse(assignment);
                env[key] = value;
            }
            config["custom_env"] = env;
        }
        if (config.Count > 0) body["build_config"] = config;

        if (body["source_repository"] is null) throw CliException.Usage("missing the repository: give --repo or set source_repository in --file");
        if (body["target_architecture"] is null) throw CliException.Usage("missing the architecture: give --arch or set target_architecture in --file");
        return body;
    }

    private static void Set(JsonObject o, string name, string? value)
    {
        if (value is not null) o[name] = value;
    }

    private static void SetList(JsonObject o, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0) o[name] = new JsonArray(values.Select(v => (JsonNode)v).ToArray());
    }
}
