using System.Text.Json;
using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Input;

/// <summary>A request body from a file: JSON, or YAML (by extension .yaml/.yml, or when it does not start with '{').</summary>
public static class DocumentFile
{
    public static JsonObject Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static JsonObject Parse(string text, string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var yaml = ext is ".yaml" or ".yml" || (ext != ".json" && !text.TrimStart().StartsWith('{'));
        JsonNode? node;
        if (yaml) node = YamlJson.Parse(text, path);
        else
        {
            try { node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
            catch (JsonException e) { throw CliException.Usage($"{path}: invalid JSON: {e.Message}"); }
        }
        return node as JsonObject ?? throw CliException.Usage($"{path}: expected an object at the top");
    }
}
