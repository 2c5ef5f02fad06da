using System.Text.Json;
using System.Text.Json.Serialization;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// The JSON options of the journal contracts: the API's snake_case names, but tolerant reading, so a
/// journal written by an earlier or later release still loads: unknown fields are skipped and missing
/// ones keep the contract's default. Enums are strings in the contracts themselves (<see cref="JournalEnums"/>).
/// </summary>
public static class JournalJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null, // custom_env keys are case-sensitive variable names
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };
}
