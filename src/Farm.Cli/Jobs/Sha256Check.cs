using System.Security.Cryptography;

namespace KernelFarm.Cli.Jobs;

/// <summary>sha256 of a download, computed while it is written, compared with the manifest's hex digest.</summary>
public sealed class Sha256Check : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    public string Hex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public static bool Matches(string expectedHex, string actualHex) =>
        string.Equals(expectedHex.Trim(), actualHex.Trim(), StringComparison.OrdinalIgnoreCase);

    public static bool IsValidHex(string? hex) => hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit);

    public void Dispose() => _hash.Dispose();
}
