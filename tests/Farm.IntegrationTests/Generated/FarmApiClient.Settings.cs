using System.Text.Json;
using System.Text.Json.Serialization;

namespace KernelFarm.IntegrationTests.Generated;

/// <summary>
/// NSwag's hook for the generated client's JSON settings: optional members it leaves null are left
/// out, as the API's own clients do (the farm refuses <c>"webhooks": null</c>; absent means none).
/// </summary>
public partial class FarmApiClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) =>
        settings.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
}
