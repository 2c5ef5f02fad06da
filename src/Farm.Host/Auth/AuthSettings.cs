using System.Text.RegularExpressions;

namespace KernelFarm.Host.Auth;

/// <summary>
/// API authentication, bound from the "Farm:Auth" configuration section (env <c>Farm__Auth__…</c>):
/// the accepted tokens, each stored only as its SHA-256, or <see cref="Disabled"/> for a
/// development farm. <see cref="Validate"/> names every bad entry so the host refuses to start
/// instead of running with a token table that is not what the operator meant.
/// </summary>
public sealed partial class AuthSettings
{
    public const string Section = "Farm:Auth";
    public const int MaxNameLength = 64;

    /// <summary>Development only: no authentication, every request may do everything (announced in the log and on every response).</summary>
    public bool Disabled { get; set; }

    public List<TokenEntry> Tokens { get; set; } = [];

    /// <summary>One accepted token: a name (recorded as a job's submitted_by), its role and its hash.</summary>
    public sealed class TokenEntry
    {
        public string? Name { get; set; }
        public string? Role { get; set; }
        /// <summary>Hex SHA-256 of the token (<c>printf %s "$TOKEN" | sha256sum</c>); never the token itself.</summary>
        public string? Sha256 { get; set; }
    }

    /// <summary>Every problem, each naming the environment variable at fault; empty when the settings are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Disabled && Tokens.Count == 0)
            errors.Add("no API tokens are configured: set Farm__Auth__Tokens__0__Name, Farm__Auth__Tokens__0__Role " +
                       "(viewer, submitter or operator) and Farm__Auth__Tokens__0__Sha256 (the sha256 of the token, see " +
                       "README \"Auth\"), or Farm__Auth__Disabled=true to run without authentication (development only)");

        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var hashes = new List<(TokenHash Hash, int Index)>();
        for (var i = 0; i < Tokens.Count; i++)
        {
            var t = Tokens[i];
            var entry = $"Farm__Auth__Tokens__{i}";
            var label = string.IsNullOrWhiteSpace(t.Name) ? entry : $"{entry} ('{t.Name}')";

            if (string.IsNullOrWhiteSpace(t.Name))
                errors.Add($"{entry}__Name is required (it names the token in job records as submitted_by)");
            else if (t.Name.Length > MaxNameLength || !NamePattern().IsMatch(t.Name))
                errors.Add($"{entry}__Name must be 1 to {MaxNameLength} letters, digits or '._@-'");
            else if (names.TryGetValue(t.Name, out var first))
                errors.Add($"{entry}__Name '{t.Name}' is already the name of Farm__Auth__Tokens__{first}");
            else
                names[t.Name] = i;

            // The role is not secret: echo it so a typo is obvious.
            if (!ApiRoles.TryParse(t.Role, out _))
                errors.Add(string.IsNullOrWhiteSpace(t.Role)
                    ? $"{label}: {entry}__Role is required: viewer, submitter or operator"
                    : $"{label}: {entry}__Role '{t.Role}' is not a role: viewer, submitter or operator");

            // The value is never echoed: a malformed "hash" may well be the token itself, pasted by mistake.
            if (!TokenHash.TryParse(t.Sha256, out var hash))
                errors.Add($"{label}: {entry}__Sha256 must be the token's SHA-256 as {TokenHash.HexLength} hex digits " +
                           "(printf %s \"$TOKEN\" | sha256sum), not the token itself");
            else if (hashes.FirstOrDefault(h => h.Hash.Matches(hash!)) is { Hash: not null } same)
                errors.Add($"{label}: {entry}__Sha256 is the same token as Farm__Auth__Tokens__{same.Index}; give each token its own");
            else
                hashes.Add((hash!, i));
        }
        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]+$")]
    private static partial Regex NamePattern();
}
