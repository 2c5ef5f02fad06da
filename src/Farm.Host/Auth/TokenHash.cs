using System.Security.Cryptography;
using System.Text;

namespace KernelFarm.Host.Auth;

/// <summary>
/// The SHA-256 of an API token, which is all the farm stores. Tokens are long random strings
/// (<c>openssl rand -hex 32</c>), so a fast unsalted hash is enough: there is nothing to guess by
/// brute force, and a leaked configuration does not leak the tokens.
/// </summary>
public sealed class TokenHash
{
    public const int HexLength = 64;
    private readonly byte[] _bytes;

    private TokenHash(byte[] bytes) => _bytes = bytes;

    /// <summary>The hash of a presented token (its UTF-8 bytes, as <c>printf %s "$TOKEN" | sha256sum</c> hashes it).</summary>
    public static TokenHash Of(string token) => new(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// Parses 64 hex digits, either case, surrounding blanks ignored. A trailing "  -" as
    /// <c>sha256sum</c> prints it is accepted too, so its output can be pasted as it is.
    /// </summary>
    public static bool TryParse(string? hex, out TokenHash? hash)
    {
        hash = null;
        if (hex is null) return false;
        var text = hex.Trim();
        if (text.EndsWith(" -", StringComparison.Ordinal)) text = text[..^2].TrimEnd();
        if (text.Length != HexLength || !text.All(char.IsAsciiHexDigit)) return false;
        hash = new TokenHash(Convert.FromHexString(text));
        return true;
    }

    /// <summary>Constant-time comparison, so the time taken tells nothing about how much of a hash matched.</summary>
    public bool Matches(TokenHash other) => CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public string ToHex() => Convert.ToHexStringLower(_bytes);

    public override string ToString() => "sha256:" + ToHex();
}
