using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using KernelFarm.Actors.Execution;
using KernelFarm.Actors.Jobs;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Tests.Jobs;

/// <summary>
/// A fast fixture for <see cref="BuildJobActor"/>: build servers that answer the SSH session protocol
/// from a script instead of sshd (the real path is covered by the integration tests). A build's log
/// comes in two parts; its exit code and artifacts are set by the test. A request kind named in
/// <see cref="HoldAt"/> (several: comma-separated) is not answered, so the job stays in that step.
/// </summary>
public sealed class ScriptedBuildServers : ISshSessionFactory
{
    public const string LogUntilBuilding = "==> kfarm: step configuring\n==> kfarm: step building\n  CC      init/main.o\n";
    public const string LogAfterBuilding = "  LD      vmlinux\n==> kfarm: step collecting\n==> kfarm: step done\n";

    /// <summary>Requests sent (answered or not), as "server:kind" (kinds: Launch, Status, Kill, Cleanup, Boot, Abandon, manifest, follow, drain, download).</summary>
    public ConcurrentQueue<string> Seen { get; } = new();
    public ConcurrentDictionary<string, bool> Unreachable { get; } = new();
    public volatile string? HoldAt;
    public volatile int ExitCode;
    public IReadOnlyDictionary<string, byte[]> Artifacts { get; set; } = new Dictionary<string, byte[]> { ["bzImage"] = "kernel image"u8.ToArray() };
    /// <summary>How much of the log the server has streamed so far (a re-attached stream continues from there).</summary>
    private int _logSent;
    private readonly ConcurrentQueue<(IActorRef Session, IActorRef To, object Request)> _held = new();

    public Props SessionFor(BuildServer server, TimeSpan connectTimeout) => Props.Create(() => new Session(this, server.Id));

    public IReadOnlyList<string> SeenOn(string server) => Seen.Where(s => s.StartsWith(server + ":", StringComparison.Ordinal)).Select(s => s[(server.Length + 1)..]).ToList();

    /// <summary>Answers what was held, as the server would have.</summary>
    private bool Holds(string kind) => HoldAt?.Split(',').Contains(kind) == true;

    public void Release()
    {
        HoldAt = null;
        while (_held.TryDequeue(out var h)) h.Session.Tell(h.Request, h.To);
    }

    private string NextLogPart(bool untilBuilding)
    {
        var log = untilBuilding ? LogUntilBuilding : LogUntilBuilding + LogAfterBuilding;
        var sent = Interlocked.Exchange(ref _logSent, Math.Max(_logSent, log.Length));
        return sent >= log.Length ? "" : log[sent..];
    }

    private sealed class Session : ReceiveActor
    {
        public Session(ScriptedBuildServers script, string server)
        {
            bool Hold(string kind, object request)
            {
                script.Seen.Enqueue($"{server}:{kind}");
                if (!script.Holds(kind)) return false;
                script._held.Enqueue((Self, Sender, request));
                return true;
            }

            Receive<SshSessionActor.Run>(r =>
            {
                var kind = r.Tag.Split(':')[0];
                if (script.Unreachable.ContainsKey(server))
                {
                    script.Seen.Enqueue($"{server}:{kind}");
                    Sender.Tell(new SshSessionActor.RunFailed(r.Tag, "connection refused", Connect: true));
                    return;
                }
                if (Hold(kind, r)) return;
                var stdout = kind switch
                {
                    nameof(RemoteCall.Launch) => "4242\n",
                    nameof(RemoteCall.Status) => $"exit {script.ExitCode} {(script.ExitCode == 0 ? "done" : "building")}\n",
                    nameof(RemoteCall.Boot) => "status=pass\nduration_s=1\n",
                    "manifest" => string.Concat(script.Artifacts.Select(a => $"{Convert.ToHexStringLower(SHA256.HashData(a.Value))}\t{a.Value.Length}\t{a.Key}\n")),
                    _ => "",
                };
                Sender.Tell(new SshSessionActor.RunResult(r.Tag, new CommandResult(0, stdout, "")));
            });
            Receive<SshSessionActor.Stream>(s =>
            {
                if (s.Tag == "follow" && script.Holds("follow"))
                {   // the build runs on: its log so far, and no end
                    Sender.Tell(new SshSessionActor.Chunk(s.Tag, Encoding.UTF8.GetBytes(script.NextLogPart(untilBuilding: true))));
                    Hold("follow", s);
                    return;
                }
                if (Hold(s.Tag, s)) return;
                if (s.Tag == "follow") Sender.Tell(new SshSessionActor.Chunk(s.Tag, Encoding.UTF8.GetBytes(script.NextLogPart(untilBuilding: false))));
                Sender.Tell(new SshSessionActor.StreamEnded(s.Tag, 0));
            });
            Receive<SshSessionActor.Download>(d =>
            {
                if (Hold("download", d)) return;
                var name = d.RemotePath[(d.RemotePath.IndexOf("/artifacts/", StringComparison.Ordinal) + "/artifacts/".Length)..];
                Directory.CreateDirectory(Path.GetDirectoryName(d.LocalPath)!);
                File.WriteAllBytes(d.LocalPath, script.Artifacts[name]);
                Sender.Tell(new SshSessionActor.Downloaded(d.LocalPath));
            });
        }
    }
}
