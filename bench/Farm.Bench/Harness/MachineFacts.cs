using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KernelFarm.Bench.Harness;

/// <summary>The machine and the code a run measured: recorded with every result file.</summary>
public sealed record MachineFacts(int Cores, string? CpuModel, long RamMiB, string Os, string Kernel, string DotNet, string GcMode,
    string? GitCommit, bool GitDirty, double[] LoadAverageAtStart)
{
    public double[]? LoadAverageAtEnd { get; set; }

    public static MachineFacts Collect(string repoRoot) => new(
        Environment.ProcessorCount,
        ReadField("/proc/cpuinfo", "model name"),
        (ReadKiB("/proc/meminfo", "MemTotal") ?? 0) / 1024,
        OsName(),
        File.Exists("/proc/sys/kernel/osrelease") ? "Linux " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
        Git(repoRoot, "rev-parse", "HEAD"),
        !string.IsNullOrWhiteSpace(Git(repoRoot, "status", "--porcelain", "--untracked-files=no")),
        LoadAverage());

    /// <summary>1, 5 and 15 minute load averages: the machine may be shared, so a run records how busy it was.</summary>
    public static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException) { return []; }
    }

    private static string OsName()
    {
        var pretty = File.Exists("/etc/os-release")
            ? File.ReadAllLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"')
            : null;
        return pretty ?? RuntimeInformation.OSDescription;
    }

    private static string? ReadField(string path, string name)
    {
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }

    /// <summary>A "Name:   123 kB" field of a /proc file, in KiB.</summary>
    public static long? ReadKiB(string path, string name)
    {
        var v = ReadField(path, name + ":");
        return v is null ? null : long.Parse(v.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? Git(string repo, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
