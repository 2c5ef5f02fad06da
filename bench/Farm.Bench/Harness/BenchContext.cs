using System.Diagnostics;

namespace KernelFarm.Bench.Harness;

/// <summary>What every scenario gets: the mode, the repository, a scratch directory, a log.</summary>
public sealed class BenchContext(bool quick, string repoRoot, string configuration, string scratch)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    /// <summary>Reduced sizes: every scenario in well under a minute (a smoke check).</summary>
    public bool Quick { get; } = quick;
    public string RepoRoot { get; } = repoRoot;
    /// <summary>The build configuration the harness runs in (the host it starts is the same one).</summary>
    public string Configuration { get; } = configuration;
    /// <summary>Deleted at the end of the run.</summary>
    public string Scratch { get; } = scratch;

    /// <summary>The hocon/ files, copied next to the harness as they are next to the host.</summary>
    public string HoconDirectory => Path.Combine(AppContext.BaseDirectory, "hocon");

    public string HostDll
    {
        get
        {
            var dll = Path.Combine(RepoRoot, "src/Farm.Host/bin", Configuration, "net10.0/Farm.Host.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/Farm.Host first (bench/run.sh builds it)", dll);
        }
    }

    /// <summary>A fresh directory under the scratch directory.</summary>
    public string NewDirectory(string name)
    {
        var dir = Path.Combine(Scratch, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Log(string message) => Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:F1}s] {message}");
}
