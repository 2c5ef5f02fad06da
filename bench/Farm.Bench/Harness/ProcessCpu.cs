namespace KernelFarm.Bench.Harness;

/// <summary>CPU time a process (and its descendants of the same programs) used, from /proc: user + system, its own, not its children's.</summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The process's own CPU seconds, plus those of its live descendants running the same kind of program (python for Buildbot, dotnet for the host).</summary>
    public static double Seconds(int pid)
    {
        var stats = Snapshot();
        if (!stats.TryGetValue(pid, out var root)) return 0;
        var total = root.Cpu;
        var family = new HashSet<int> { pid };
        bool grew;
        do
        {
            grew = false;
            foreach (var (id, s) in stats)
            {
                if (family.Contains(id) || !family.Contains(s.Parent) || !(s.Comm == root.Comm || s.Comm.StartsWith("python", StringComparison.Ordinal))) continue;
                family.Add(id);
                total += s.Cpu;
                grew = true;
            }
        } while (grew);
        return total;
    }

    private readonly record struct Stat(int Parent, string Comm, double Cpu);

    private static Dictionary<int, Stat> Snapshot()
    {
        var result = new Dictionary<int, Stat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string text;
            try { text = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            // "pid (comm) state ppid … utime stime …": comm may hold spaces, so split after its ')'.
            var open = text.IndexOf('(');
            var close = text.LastIndexOf(')');
            if (open < 0 || close < open) continue;
            var fields = text[(close + 2)..].Split(' ');
            if (fields.Length < 13) continue;
            result[pid] = new Stat(int.Parse(fields[1]), text[(open + 1)..close],
                (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond);
        }
        return result;
    }
}
