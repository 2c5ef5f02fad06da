namespace KernelFarm.IntegrationTests.Farm;

/// <summary>One row of /proc: pid, parent, process group and command line (NULs as spaces).</summary>
public sealed record ProcEntry(int Pid, int ParentPid, int ProcessGroup, string CommandLine);

/// <summary>A snapshot of /proc for the fault tests (who is whose child, which group).</summary>
public static class ProcTable
{
    public static IReadOnlyDictionary<int, ProcEntry> Snapshot()
    {
        var table = new Dictionary<int, ProcEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (Read(pid) is { } e) table[pid] = e;
        }
        return table;
    }

    public static ProcEntry? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cmd = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return new ProcEntry(pid, int.Parse(fields[1]), int.Parse(fields[2]), cmd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null; // exited meanwhile
        }
    }

    /// <summary>The nearest ancestor of <paramref name="pid"/> (itself included) whose command line matches.</summary>
    public static ProcEntry? Ancestor(IReadOnlyDictionary<int, ProcEntry> table, int pid, Func<ProcEntry, bool> match)
    {
        for (var hops = 0; hops < 64 && table.TryGetValue(pid, out var e); hops++)
        {
            if (match(e)) return e;
            if (e.ParentPid <= 1) return null;
            pid = e.ParentPid;
        }
        return null;
    }
}
