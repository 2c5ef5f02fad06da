using System.Net;
using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Http;

/// <summary>
/// Turns an error response into one line for people: a problem+json's title and detail and the
/// fields it names (<c>errors[].field</c> or <c>field</c>); any other body as its status and first line.
/// </summary>
public static class ProblemMessage
{
    private const int MaxBodyChars = 300;

    public static string Describe(int status, string? body)
    {
        var problem = TryParseObject(body);
        if (problem is null) return Fallback(status, body);

        var title = Text(problem["title"]);
        var detail = Text(problem["detail"]);
        var fields = Fields(problem);
        var message = (title, detail) switch
        {
            (null, null) => $"HTTP {status} {Reason(status)}",
            (null, _) => detail!,
            (_, null) => title!,
            _ when detail!.StartsWith(title!, StringComparison.OrdinalIgnoreCase) => detail,
            _ => $"{title}: {detail}",
        };
        return fields.Count == 0 ? message : $"{message} (field{(fields.Count > 1 ? "s" : "")}: {string.Join(", ", fields)})";
    }

    public static IReadOnlyList<string> Fields(JsonObject problem)
    {
        var fields = new List<string>();
        if (problem["errors"] is JsonArray errors)
            foreach (var e in errors)
                if (e is JsonObject o && Text(o["field"]) is { } f && !fields.Contains(f)) fields.Add(f);
        // ASP.NET's validation problems: errors is an object keyed by field
        if (problem["errors"] is JsonObject byField)
            foreach (var (f, _) in byField)
                if (!fields.Contains(f)) fields.Add(f);
        if (Text(problem["field"]) is { } single && !fields.Contains(single)) fields.Add(single);
        return fields;
    }

    private static JsonObject? TryParseObject(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || !body.TrimStart().StartsWith('{')) return null;
        try { return JsonNode.Parse(body) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    private static string Fallback(int status, string? body)
    {
        var head = $"HTTP {status} {Reason(status)}".TrimEnd();
        var line = body?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(line)) return head;
        return $"{head}: {(line.Length > MaxBodyChars ? line[..MaxBodyChars] + "…" : line)}";
    }

    private static string Reason(int status) =>
        Enum.IsDefined(typeof(HttpStatusCode), status) ? SplitWords(((HttpStatusCode)status).ToString()) : "";

    private static string SplitWords(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString()));
}
