namespace KernelFarm.Cli.Plans;

/// <summary>A TuxSuite plan file, sent to the farm as written: its bytes and the media type they are in.</summary>
public sealed record PlanFile(byte[] Content, string MediaType)
{
    public const string Yaml = "application/yaml", JsonType = "application/json";

    public static PlanFile Load(string path)
    {
        byte[] content;
        try { content = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read {path}: {e.Message}");
        }
        var text = System.Text.Encoding.UTF8.GetString(content);
        if (string.IsNullOrWhiteSpace(text)) throw CliException.Usage($"{path} is empty: expected a TuxSuite plan (YAML or JSON)");
        return new PlanFile(content, MediaTypeOf(path, text));
    }

    /// <summary>JSON for .json, YAML for .yaml/.yml; otherwise JSON when the text starts with '{' (as --file reads a job).</summary>
    public static string MediaTypeOf(string path, string text) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => JsonType,
        ".yaml" or ".yml" => Yaml,
        _ => text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{') ? JsonType : Yaml,
    };
}
