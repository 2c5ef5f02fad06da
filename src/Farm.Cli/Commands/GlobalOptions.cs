using System.CommandLine;

namespace KernelFarm.Cli.Commands;

/// <summary>Options every kfarm command takes (recursive: they may stand anywhere on the line).</summary>
public sealed class GlobalOptions
{
    public Option<string?> Endpoint { get; } = new("--endpoint")
    {
        Description = $"Farm API URL (env KFARM_ENDPOINT, config file; default {Config.CliConfig.DefaultEndpoint})",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "API bearer token (env KFARM_TOKEN, config file)",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the farm's JSON instead of tables",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Endpoint);
        root.Options.Add(Token);
        root.Options.Add(Json);
    }
}
