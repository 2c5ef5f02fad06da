using System.Text.Json;
using System.Text.Json.Serialization;

namespace KernelFarm.Messages.Serialization;

/// <summary>The one JSON shape of the farm: snake_case names and enum values, as the HTTP API and the journal use.</summary>
public static class FarmJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null; // custom_env keys are case-sensitive variable names
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return o;
    }
}
