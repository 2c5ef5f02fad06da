using System.Text.Json;

namespace KernelFarm.Cli.Config;

/// <summary>The optional config file: <c>{ "endpoint": "…", "token": "…" }</c>.</summary>
public sealed record ConfigFile(string? Endpoint, string? Token)
{
    public static readonly ConfigFile Empty = new(null, null);

    public static ConfigFile Parse(string json, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw CliException.Usage($"config file {path}: expected a JSON object");
            return new ConfigFile(Text(doc.RootElement, "endpoint", path), Text(doc.RootElement, "token", path));
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"config file {path}: invalid JSON ({e.Message})");
        }
    }

    private static string? Text(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw CliException.Usage($"config file {path}: \"{name}\" must be a string");
        return v.GetString();
    }
}
