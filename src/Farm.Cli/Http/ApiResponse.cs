using System.Text.Json;
using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Http;

/// <summary>A successful answer: its status and body text (printed as is with --json).</summary>
public sealed record ApiResponse(int Status, string Body)
{
    public JsonNode Json => Body.Length == 0
        ? throw new CliException(ExitCodes.Unavailable, $"the farm answered {Status} with an empty body where JSON was expected")
        : Parse(Body);

    private static JsonNode Parse(string body)
    {
        try { return JsonNode.Parse(body) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new CliException(ExitCodes.Unavailable, $"the farm answered with invalid JSON: {e.Message}"); }
    }
}
