using System.Text.Json.Serialization;

namespace KernelFarm.Host.Gateway.Contract;

/// <summary>Who the caller is signed in as (name and role absent when not signed in).</summary>
public sealed record SessionInfo
{
    public bool SignedIn { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }
    public bool AuthDisabled { get; init; }
}
