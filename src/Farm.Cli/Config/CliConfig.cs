namespace KernelFarm.Cli.Config;

/// <summary>Where the farm is and how to authenticate, resolved flag &gt; environment &gt; config file &gt; default.</summary>
public sealed record CliConfig(Uri Endpoint, string? Token, string ConfigPath)
{
    public const string DefaultEndpoint = "http://127.0.0.1:8080";
    public const string EndpointVariable = "KFARM_ENDPOINT";
    public const string TokenVariable = "KFARM_TOKEN";
    public const string ConfigVariable = "KFARM_CONFIG";

    /// <param name="environment">reads an environment variable (null when unset)</param>
    /// <param name="readFile">reads a file's text, null when it does not exist</param>
    /// <param name="home">the user's home directory, for the default config path</param>
    public static CliConfig Resolve(string? endpointFlag, string? tokenFlag, Func<string, string?> environment,
        Func<string, string?> readFile, string home)
    {
        var explicitPath = NonEmpty(environment(ConfigVariable));
        var path = explicitPath ?? Path.Combine(home, ".config", "kfarm", "config.json");
        var text = readFile(path);
        if (text is null && explicitPath is not null)
            throw CliException.Usage($"config file {path} (from {ConfigVariable}) does not exist");
        var file = text is null ? ConfigFile.Empty : ConfigFile.Parse(text, path);

        var endpoint = NonEmpty(endpointFlag) ?? NonEmpty(environment(EndpointVariable)) ?? NonEmpty(file.Endpoint) ?? DefaultEndpoint;
        var token = NonEmpty(tokenFlag) ?? NonEmpty(environment(TokenVariable)) ?? NonEmpty(file.Token);
        return new CliConfig(ParseEndpoint(endpoint), token, path);
    }

    /// <summary>The process's own environment, files and home directory.</summary>
    public static CliConfig FromProcess(string? endpointFlag, string? tokenFlag) => Resolve(endpointFlag, tokenFlag,
        Environment.GetEnvironmentVariable,
        p => File.Exists(p) ? File.ReadAllText(p) : null,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    public static Uri ParseEndpoint(string endpoint)
    {
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw CliException.Usage($"invalid endpoint '{endpoint}': expected an http:// or https:// URL");
        // a base address must end with '/' or its last segment is dropped when relative paths are resolved
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
