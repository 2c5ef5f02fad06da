using System.Diagnostics;
using System.Reflection;
using KernelFarm.Bench.Harness;
using KernelFarm.Bench.Memory;
using KernelFarm.Bench.Scheduler;

// bench/run.sh [scenario...] [--quick]: runs the named scenarios (all when none is named), prints
// one table and writes bench/results/<yyyy-MM-dd>.json (<yyyy-MM-dd>-quick.json with --quick;
// a run of some scenarios adds their names: <yyyy-MM-dd>-scheduler-memory.json).
// A new scenario is one more IScenario in this list.
IScenario[] all =
[
    new SchedulerScenario(),
    new MemoryScenario(),
    new KernelFarm.Bench.FixedCost.FixedCostScenario(),
    new KernelFarm.Bench.Drain.DrainScenario(),
    new KernelFarm.Bench.LogLatency.LogLatencyScenario(),
    new KernelFarm.Bench.Transfer.TransferScenario(),
    new KernelFarm.Bench.Overhead.OverheadScenario(),
    new KernelFarm.Bench.SecondBuild.SecondBuildScenario(),
    new KernelFarm.Bench.JobList.JobListScenario(),
    new KernelFarm.Bench.Recovery.QueueRecoveryScenario(),
    new KernelFarm.Bench.Index.IndexMemoryScenario(),
    new KernelFarm.Bench.Reuse.ReuseScenario(),
    new KernelFarm.Bench.Plans.PlanScaleScenario(),
    new KernelFarm.Bench.Series.SeriesScenario(),
    new KernelFarm.Bench.Bisection.BisectionScenario(),
];

var quick = args.Contains("--quick");
if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine("usage: bench/run.sh [scenario...] [--quick]\n\nscenarios:");
    foreach (var s in all) Console.WriteLine($"  {s.Name,-12} {s.Description}");
    return 0;
}
var unknown = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && all.All(s => s.Name != a)).ToList();
if (unknown.Count > 0 || args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--quick"))
{
    Console.Error.WriteLine($"unknown argument(s): {string.Join(' ', args.Where(a => a != "--quick" && (unknown.Contains(a) || a.StartsWith("--", StringComparison.Ordinal))))}; " +
                            $"scenarios: {string.Join(", ", all.Select(s => s.Name))}");
    return 2;
}
var named = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
var chosen = named.Count == 0 ? all : all.Where(s => named.Contains(s.Name)).ToArray();

var repo = RepoRoot();
var configuration = typeof(Program).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
var scratch = Path.Combine(Path.GetTempPath(), $"kfarm-bench-{Environment.ProcessId}");
Directory.CreateDirectory(scratch);
var context = new BenchContext(quick, repo, configuration, scratch);
var machine = MachineFacts.Collect(repo);
var startedAt = DateTimeOffset.Now;
var clock = Stopwatch.StartNew();
context.Log($"{(quick ? "quick" : "full")} run of {string.Join(", ", chosen.Select(s => s.Name))} on {machine.Cores} cores, " +
            $"load average {string.Join(" ", machine.LoadAverageAtStart)}, commit {machine.GitCommit?[..12]}{(machine.GitDirty ? " (modified)" : "")}");
if (configuration != "Release") context.Log($"warning: a {configuration} build measures unoptimised code; run bench/run.sh");

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var rows = new List<BenchRow>();
var failures = new List<string>();
try
{
    foreach (var scenario in chosen)
    {
        context.Log($"== {scenario.Name}: {scenario.Description}");
        try { rows.AddRange(await scenario.RunAsync(context, cts.Token)); }
        catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
        {
            failures.Add($"{scenario.Name}: {e.GetType().Name}: {e.Message}");
            context.Log($"{scenario.Name} failed: {e}");
        }
    }
}
finally
{
    try { Directory.Delete(scratch, recursive: true); }
    catch (IOException e) { context.Log($"could not remove {scratch}: {e.Message}"); }
}

machine.LoadAverageAtEnd = MachineFacts.LoadAverage();
Console.WriteLine();
Console.WriteLine(Report.Table(rows));
foreach (var f in failures) Console.WriteLine($"FAILED {f}");
var results = Path.Combine(repo, "bench/results");
Directory.CreateDirectory(results);
// A run of every scenario is the day's record; a run of some names them, so it does not replace that record.
var subset = chosen.Length == all.Length ? "" : "-" + string.Join("-", chosen.Select(s => s.Name));
var file = Path.Combine(results, $"{startedAt:yyyy-MM-dd}{subset}{(quick ? "-quick" : "")}.json");
File.WriteAllText(file, Report.Json(machine, quick, chosen.Select(s => s.Name).ToList(), rows, failures, startedAt, clock.Elapsed) + "\n");
Console.WriteLine($"{rows.Count} figures in {clock.Elapsed.TotalSeconds:F0} s, load average {string.Join(" ", machine.LoadAverageAtStart)} at the start, " +
                  $"{string.Join(" ", machine.LoadAverageAtEnd)} at the end; written to {Path.GetRelativePath(repo, file)}");
return failures.Count == 0 ? 0 : 1;

static string RepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KernelFarm.sln"))) return dir.FullName;
    throw new InvalidOperationException("run from inside the KernelFarm repository");
}
