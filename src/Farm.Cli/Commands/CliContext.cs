using System.CommandLine;
using KernelFarm.Cli.Config;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Commands;

/// <summary>What a command handler works with: the parsed line, the output, and (resolved on first use) the config and the API client.</summary>
public sealed class CliContext(GlobalOptions globals, ParseResult parse, CliOutput output) : IDisposable
{
    private CliConfig? _config;
    private FarmClient? _client;

    public ParseResult Parse { get; } = parse;
    public CliOutput Output { get; } = output;
    public bool Json => Output.Json;

    public CliConfig Config => _config ??= CliConfig.FromProcess(Parse.GetValue(globals.Endpoint), Parse.GetValue(globals.Token));
    public FarmClient Client => _client ??= new FarmClient(Config);

    public T? Value<T>(Option<T> option) => Parse.GetValue(option);
    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public void Dispose() => _client?.Dispose();
}
