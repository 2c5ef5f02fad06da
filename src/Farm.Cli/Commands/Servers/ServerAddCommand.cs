using System.CommandLine;
using System.Text.Json.Nodes;
using KernelFarm.Cli.Http;
using KernelFarm.Cli.Input;
using KernelFarm.Cli.Output;
using KernelFarm.Cli.Servers;

namespace KernelFarm.Cli.Commands.Servers;

/// <summary>
/// `servers add`: registration from flags and/or a YAML or JSON file. Without a pinned host key the
/// server's key is read over SSH, shown, and registered only once confirmed (or with --yes).
/// </summary>
public static class ServerAddCommand
{
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(15);

    public static Command Create(GlobalOptions globals)
    {
        var file = new Option<string?>("--file", "-f") { Description = "server.yaml or server.json with the API's snake_case fields (flags override)", HelpName = "FILE" };
        var id = new Option<string?>("--id") { Description = "Server id", HelpName = "ID" };
        var hostname = new Option<string?>("--hostname") { Description = "Name for people (default: the IP)", HelpName = "NAME" };
        var ip = new Option<string?>("--ip") { Description = "Address the farm connects to", HelpName = "IP" };
        var port = IntOption.Create("--port", "SSH port (default 22)", "PORT");
        var user = new Option<string?>("--user") { Description = "SSH user", HelpName = "USER" };
        var keyPath = new Option<string?>("--key-path") { Description = "Private key path on the farm nodes", HelpName = "PATH" };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "Host key fingerprint SHA256:… (read over SSH and confirmed when omitted)", HelpName = "SHA256:…" };
        var arch = new Option<string[]>("--arch") { Description = "Supported architecture (repeatable)", HelpName = "ARCH" };
        var toolchain = new Option<string[]>("--toolchain") { Description = "Toolchain NAME:ARCH[,ARCH][:CROSS_COMPILE] (repeatable)", HelpName = "SPEC" };
        var cores = IntOption.Create("--cores", "CPU cores", "N");
        var memory = IntOption.Create("--memory-mb", "Memory in MB", "MB");
        var storage = IntOption.Create("--storage-gb", "Storage in GB", "GB");
        var maxJobs = IntOption.Create("--max-jobs", "Concurrent job slots", "N");
        var workspace = new Option<string?>("--workspace-root") { Description = "Workspace root on the server", HelpName = "PATH" };
        var allowed = new Option<string[]>("--allowed-workspace-root") { Description = "Further root a job's workspace may use (repeatable)", HelpName = "PATH" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Accept the scanned host key without asking" };

        var command = new Command("add", "Register a build server (the farm checks it over SSH first)")
        {
            file, id, hostname, ip, port, user, keyPath, fingerprint, arch, toolchain, cores, memory, storage, maxJobs, workspace, allowed, yes,
        };
        Handler.Set(command, globals, async (cli, ct) =>
        {
            var spec = new ServerSpec
            {
                Id = cli.Value(id), Hostname = cli.Value(hostname), Ip = cli.Value(ip), Port = cli.Value(port), User = cli.Value(user),
                KeyPath = cli.Value(keyPath), Fingerprint = cli.Value(fingerprint), Arches = cli.Value(arch) ?? [],
                Toolchains = cli.Value(toolchain) ?? [], Cores = cli.Value(cores), MemoryMb = cli.Value(memory),
                StorageGb = cli.Value(storage), MaxJobs = cli.Value(maxJobs), WorkspaceRoot = cli.Value(workspace),
                AllowedWorkspaceRoots = cli.Value(allowed) ?? [],
            };
            var body = spec.ToRequest(cli.Value(file) is { } path ? DocumentFile.Load(path) : null);
            if (string.IsNullOrWhiteSpace(Json.Str(body, "ssh_host_key_fingerprint")))
                body["ssh_host_key_fingerprint"] = await ConfirmHostKeyAsync(cli, body, cli.Value(yes), ct);
            else
                body["ssh_host_key_fingerprint"] = Fingerprint.Display(Json.Str(body, "ssh_host_key_fingerprint")!);

            var response = await cli.Client.PostAsync(ApiPaths.Servers, body, ct);
            if (cli.Json) cli.Output.WriteJson(response.Body);
            else
            {
                cli.Output.Out.WriteLine($"registered build server {Json.Str(response.Json, "id")}");
                cli.Output.Out.Write(ServerView.Show(response.Json));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<string> ConfirmHostKeyAsync(CliContext cli, JsonObject body, bool yes, CancellationToken ct)
    {
        var host = Json.Str(body, "ip_address")!;
        var port = (int)(Json.Long(body, "ssh_port") ?? 22);
        var (fingerprint, keyType) = await HostKeyScanner.ScanAsync(host, port, Json.Str(body, "ssh_username")!, ScanTimeout, ct);
        var say = cli.Output.Progress;
        say.WriteLine($"The SSH host key of {host}:{port} ({keyType}) is {fingerprint}");
        if (yes)
        {
            say.WriteLine("Accepted (--yes).");
            return fingerprint;
        }
        if (!Prompt.CanAsk)
            throw CliException.Usage("no --fingerprint given and no terminal to confirm the scanned key: pass --yes to accept it or --fingerprint to pin one");
        if (!Prompt.Confirm(say, $"Pin this key and register {Json.Str(body, "id")}?"))
            throw CliException.Failure("not registered: the host key was not confirmed");
        return fingerprint;
    }
}
