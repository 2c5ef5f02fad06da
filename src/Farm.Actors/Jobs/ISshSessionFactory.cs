using Akka.Actor;
using KernelFarm.Messages.Servers;

namespace KernelFarm.Actors.Jobs;

/// <summary>
/// Where a job's SSH sessions come from. A session actor speaks <see cref="SshSessionActor"/>'s
/// protocol (Run, Stream, Download); tests substitute a scripted one to drive a job without sshd.
/// </summary>
public interface ISshSessionFactory
{
    Props SessionFor(BuildServer server, TimeSpan connectTimeout);
}

/// <summary>The real thing: an <see cref="SshSessionActor"/> connected to the server.</summary>
public sealed class SshSessionFactory : ISshSessionFactory
{
    public static readonly ISshSessionFactory Real = new SshSessionFactory();

    public Props SessionFor(BuildServer server, TimeSpan connectTimeout) => SshSessionActor.Props(server, connectTimeout);
}
