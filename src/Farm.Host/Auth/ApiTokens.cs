namespace KernelFarm.Host.Auth;

/// <summary>One accepted token as the farm knows it: its name and role, and only the hash of its secret.</summary>
public sealed record ApiToken(string Name, ApiRole Role, TokenHash Hash);

/// <summary>The table of accepted tokens, built from validated <see cref="AuthSettings"/>.</summary>
public sealed class ApiTokens
{
    private readonly IReadOnlyList<ApiToken> _tokens;

    private ApiTokens(IReadOnlyList<ApiToken> tokens) => _tokens = tokens;

    public IReadOnlyList<ApiToken> All => _tokens;

    /// <summary>The table, or <see cref="AuthConfigurationException"/> naming every bad entry.</summary>
    public static ApiTokens From(AuthSettings settings)
    {
        var errors = settings.Validate();
        if (errors.Count > 0) throw new AuthConfigurationException(errors);
        return new ApiTokens(settings.Tokens.Select(t =>
        {
            ApiRoles.TryParse(t.Role, out var role);
            TokenHash.TryParse(t.Sha256, out var hash);
            return new ApiToken(t.Name!, role, hash!);
        }).ToList());
    }

    /// <summary>
    /// The token whose hash matches the presented secret, or null. Every entry is compared (no
    /// early exit), each in constant time.
    /// </summary>
    public ApiToken? Find(string presented)
    {
        var hash = TokenHash.Of(presented);
        ApiToken? found = null;
        foreach (var t in _tokens)
            if (t.Hash.Matches(hash)) found ??= t;
        return found;
    }
}
