using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace KernelFarm.IntegrationTests.Farm;

/// <summary>
/// API tokens of the test hosts: one per role, random per test run. Every host a fixture starts
/// accepts them (unless the test configures Farm__Auth__… itself) and every fixture HttpClient
/// sends <see cref="Operator"/>, so tests that are not about auth never see a 401.
/// </summary>
public static class TestTokens
{
    public static readonly string Viewer = NewToken();
    public static readonly string Submitter = NewToken();
    public static readonly string Operator = NewToken();

    /// <summary>The host environment that configures the three tokens by their hashes.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = Configure(
        ("test-viewer", "viewer", Viewer), ("test-submitter", "submitter", Submitter), ("test-operator", "operator", Operator));

    public static IReadOnlyDictionary<string, string> Configure(params (string Name, string Role, string Token)[] tokens)
    {
        var env = new Dictionary<string, string>();
        for (var i = 0; i < tokens.Length; i++)
        {
            env[$"Farm__Auth__Tokens__{i}__Name"] = tokens[i].Name;
            env[$"Farm__Auth__Tokens__{i}__Role"] = tokens[i].Role;
            env[$"Farm__Auth__Tokens__{i}__Sha256"] = Sha256Hex(tokens[i].Token);
        }
        return env;
    }

    /// <summary>As <c>printf %s "$TOKEN" | sha256sum</c> prints it.</summary>
    public static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>Like <c>openssl rand -hex 32</c>.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
