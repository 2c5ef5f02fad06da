using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Output;

/// <summary>Lenient reads of the API's JSON for the human views: a missing or mistyped field is null, never an exception.</summary>
public static class Json
{
    public static string? Str(JsonNode? node, string name) => Str(node?[name]);

    // By kind, not by CLR type: a value built in code (an int) and one parsed from text (a JsonElement) read alike.
    public static string? Str(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        }
        : null;

    public static long? Long(JsonNode? node, string name) =>
        node?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null;

    public static double? Double(JsonNode? node, string name) =>
        node?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    public static bool? Bool(JsonNode? node, string name) =>
        node?[name] is JsonValue v ? v.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;

    public static IReadOnlyList<JsonNode> Array(JsonNode? node, string name) =>
        node?[name] is JsonArray a ? a.Where(x => x is not null).Select(x => x!).ToList() : [];

    public static IReadOnlyList<string> Strings(JsonNode? node, string name) =>
        Array(node, name).Select(Str).Where(s => s is not null).Select(s => s!).ToList();

    public static DateTimeOffset? Time(JsonNode? node, string name) =>
        Str(node, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
