using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Servers;

/// <summary>`servers add` flags; each one set overrides the same field of --file.</summary>
public sealed record ServerSpec
{
    public string? Id { get; init; }
    public string? Hostname { get; init; }
    public string? Ip { get; init; }
    public int? Port { get; init; }
    public string? User { get; init; }
    public string? KeyPath { get; init; }
    public string? Fingerprint { get; init; }
    public IReadOnlyList<string> Arches { get; init; } = [];
    public IReadOnlyList<string> Toolchains { get; init; } = [];
    public int? Cores { get; init; }
    public int? MemoryMb { get; init; }
    public int? StorageGb { get; init; }
    public int? MaxJobs { get; init; }
    public string? WorkspaceRoot { get; init; }
    public IReadOnlyList<string> AllowedWorkspaceRoots { get; init; } = [];

    /// <summary>The registration body (the API's BuildServer JSON): the file's fields, then the flags over them.</summary>
    public JsonObject ToRequest(JsonObject? file = null)
    {
        var body = file?.DeepClone().AsObject() ?? new JsonObject();
        Set(body, "id", Id);
        Set(body, "hostname", Hostname);
        Set(body, "ip_address", Ip);
        Set(body, "ssh_port", Port);
        Set(body, "ssh_username", User);
        Set(body, "ssh_key_path", KeyPath);
        Set(body, "ssh_host_key_fingerprint", Fingerprint);
        if (Arches.Count > 0)
            body["supported_architectures"] = new JsonArray(Arches.SelectMany(SplitList).Select(a => (JsonNode)a).ToArray());
        if (Toolchains.Count > 0)
            body["toolchains"] = new JsonArray(Toolchains.Select(t => (JsonNode)ToolchainSpec.Parse(t)).ToArray());
        Set(body, "total_cpu_cores", Cores);
        Set(body, "total_memory_mb", MemoryMb);
        Set(body, "total_storage_gb", StorageGb);
        Set(body, "max_concurrent_jobs", MaxJobs);
        Set(body, "workspace_root", WorkspaceRoot);
        if (AllowedWorkspaceRoots.Count > 0)
            body["allowed_workspace_roots"] = new JsonArray(AllowedWorkspaceRoots.Select(a => (JsonNode)a).ToArray());

        // the hostname is the name for people; default it to the address rather than refuse
        if (body["hostname"] is null && body["ip_address"] is JsonValue ip) body["hostname"] = ip.DeepClone();
        foreach (var required in new[] { "id", "ip_address", "ssh_username" })
            if (body[required] is null)
                throw CliException.Usage($"missing {required}: give --{FlagOf(required)} or set it in --file");
        return body;
    }

    private static string FlagOf(string field) => field switch { "ip_address" => "ip", "ssh_username" => "user", _ => field };

    private static IEnumerable<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void Set(JsonObject body, string name, string? value)
    {
        if (value is not null) body[name] = value;
    }

    private static void Set(JsonObject body, string name, int? value)
    {
        if (value is not null) body[name] = value.Value;
    }
}
