using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// Kills process trees / process sets and waits until every victim has really exited,
/// using Linux pidfds (pidfd_open + pidfd_send_signal + poll), so there is neither a PID
/// reuse race nor a sleep loop. A zombie counts as exited.
/// </summary>
internal static class ProcessKiller
{
    private const int SIGKILL = 9;
    private const int SIGSTOP = 19;
    private const long SYS_pidfd_send_signal = 424;
    private const long SYS_pidfd_open = 434;
    private const short POLLIN = 0x001;

    /// <summary>
    /// Freezes (SIGSTOP) <paramref name="rootPid"/> and all its descendants - re-scanning until no
    /// new child appears, so nothing can fork away - then SIGKILLs them all and waits for their exit.
    /// </summary>
    public static void KillTree(int rootPid, TimeSpan timeout)
    {
        var victims = new Dictionary<int, SafePidFd>();
        try
        {
            if (!TryOpen(rootPid, out var rootFd))
                return;
            victims[rootPid] = rootFd;
            Signal(rootFd, SIGSTOP);
            for (var round = 0; round < 100; round++)
            {
                var added = false;
                var table = Snapshot();
                foreach (var pid in Descendants(table, victims.Keys))
                {
                    if (victims.ContainsKey(pid) || !TryOpen(pid, out var fd))
                        continue;
                    victims[pid] = fd;
                    Signal(fd, SIGSTOP);
                    added = true;
                }
                if (!added)
                    break;
            }
            foreach (var fd in victims.Values)
                Signal(fd, SIGKILL);
            WaitForExit(victims.Values, timeout);
        }
        finally
        {
            foreach (var fd in victims.Values)
                fd.Dispose();
        }
    }

    /// <summary>SIGKILLs the given processes and waits until they have exited.</summary>
    public static void KillAll(IEnumerable<int> pids, TimeSpan timeout)
    {
        var fds = new List<SafePidFd>();
        try
        {
            foreach (var pid in pids)
            {
                if (TryOpen(pid, out var fd))
                    fds.Add(fd);
            }
            foreach (var fd in fds)
                Signal(fd, SIGKILL);
            WaitForExit(fds, timeout);
        }
        finally
        {
            foreach (var fd in fds)
                fd.Dispose();
        }
    }

    /// <summary>Live (non-zombie) processes whose environment contains exactly <c>NAME=value</c>.</summary>
    public static List<int> FindByEnvironment(string entry)
    {
        var needle = Encoding.UTF8.GetBytes(entry);
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var (pid, _, state) in Snapshot())
        {
            if (pid == self || state == 'Z')
                continue;
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes($"/proc/{pid}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (ContainsEntry(environ, needle))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>True if the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State != 'Z';
    }

    private static bool ContainsEntry(byte[] environ, byte[] needle)
    {
        var start = 0;
        for (var i = 0; i <= environ.Length; i++)
        {
            if (i < environ.Length && environ[i] != 0)
                continue;
            if (environ.AsSpan(start, i - start).SequenceEqual(needle))
                return true;
            start = i + 1;
        }
        return false;
    }

    private static List<(int Pid, int PPid, char State)> Snapshot()
    {
        var list = new List<(int, int, char)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            var stat = ReadStat(pid);
            if (stat is not null)
                list.Add((pid, stat.Value.PPid, stat.Value.State));
        }
        return list;
    }

    private static (int PPid, char State)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) S ppid ..."; comm may contain spaces and parentheses.
        var close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = text[(close + 2)..].Split(' ');
        return fields.Length >= 2 && int.TryParse(fields[1], out var ppid) ? (ppid, fields[0][0]) : null;
    }

    private static IEnumerable<int> Descendants(List<(int Pid, int PPid, char State)> table, IEnumerable<int> roots)
    {
        var known = new HashSet<int>(roots);
        var queue = new Queue<int>(known);
        while (queue.Count > 0)
        {
            var parent = queue.Dequeue();
            foreach (var (pid, ppid, _) in table)
            {
                if (ppid == parent && known.Add(pid))
                {
                    queue.Enqueue(pid);
                    yield return pid;
                }
            }
        }
    }

    private static bool TryOpen(int pid, out SafePidFd fd)
    {
        var raw = (int)syscall(SYS_pidfd_open, pid, 0);
        if (raw >= 0)
        {
            fd = new SafePidFd(raw, pid);
            return true;
        }
        // ESRCH: already gone. ENOSYS: kernel without pidfd -> fall back to kill(pid).
        var errno = Marshal.GetLastPInvokeError();
        fd = new SafePidFd(-1, pid);
        return errno == 38 /* ENOSYS */ && IsAlive(pid);
    }

    private static void Signal(SafePidFd fd, int signal)
    {
        if (fd.Fd >= 0)
            _ = syscall(SYS_pidfd_send_signal, fd.Fd, signal, IntPtr.Zero, 0);
        else
            _ = kill(fd.Pid, signal); // kernels without pidfd (< 5.3)
    }

    private static void WaitForExit(IEnumerable<SafePidFd> fds, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        foreach (var fd in fds)
        {
            var remaining = (int)Math.Max(0, (timeout - sw.Elapsed).TotalMilliseconds);
            if (fd.Fd >= 0)
            {
                var pfd = new[] { new PollFd { Fd = fd.Fd, Events = POLLIN } };
                while (poll(pfd, 1, remaining) < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */)
                {
                }
            }
            else
            {
                // Fallback without pidfd: bounded polling of /proc.
                while (IsAlive(fd.Pid) && sw.Elapsed < timeout)
                    Thread.Sleep(10);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    private sealed class SafePidFd(int fd, int pid) : IDisposable
    {
        public int Fd { get; private set; } = fd;
        public int Pid { get; } = pid;

        public void Dispose()
        {
            if (Fd >= 0)
                _ = close(Fd);
            Fd = -1;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long arg1, long arg2);

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long arg1, long arg2, IntPtr arg3, long arg4);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, ulong nfds, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc")]
    private static extern int close(int fd);
}
