namespace KernelFarm.Host.Auth;

/// <summary>
/// What an API token may do. Ordered: each role includes the ones below it (an operator can do
/// everything a submitter can, a submitter everything a viewer can). Not to be confused with a
/// node's cluster roles (gateway, worker) in <c>Farm__Roles</c>.
/// </summary>
public enum ApiRole
{
    /// <summary>Reads: jobs, logs, artifacts, servers, cluster health.</summary>
    Viewer = 1,
    /// <summary>Submits, cancels and retries build jobs.</summary>
    Submitter = 2,
    /// <summary>Changes the farm: build servers (register, remove, drain, probe) and cluster administration.</summary>
    Operator = 3,
}

public static class ApiRoles
{
    public static readonly IReadOnlyList<ApiRole> All = [ApiRole.Viewer, ApiRole.Submitter, ApiRole.Operator];

    /// <summary>The configuration and claim spelling: "viewer", "submitter", "operator".</summary>
    public static string Name(this ApiRole role) => role.ToString().ToLowerInvariant();

    /// <summary>True when a token with this role may do what <paramref name="required"/> may.</summary>
    public static bool Includes(this ApiRole role, ApiRole required) => role >= required;

    /// <summary>Parses a role name (case-insensitive); numbers and unknown names are refused.</summary>
    public static bool TryParse(string? text, out ApiRole role)
    {
        foreach (var r in All)
        {
            if (string.Equals(text?.Trim(), r.Name(), StringComparison.OrdinalIgnoreCase))
            {
                role = r;
                return true;
            }
        }
        role = default;
        return false;
    }
}
