namespace KernelFarm.Actors.Execution;

/// <summary>
/// The make targets a job can ask for (TuxMake's names) and what each needs first: asking for
/// modules builds the config too, asking for nothing builds the default set. Always returned in
/// build order.
/// </summary>
public static class BuildTargets
{
    public const string Config = "config", Kernel = "kernel", Modules = "modules", Dtbs = "dtbs", Headers = "headers";

    /// <summary>Every target in build order, with the targets it depends on.</summary>
    public static readonly IReadOnlyList<(string Name, string[] Needs)> All =
    [
        (Config, []),
        (Kernel, [Config]),
        (Modules, [Config]),
        (Dtbs, [Config]),
        (Headers, [Config]),
    ];

    public static bool IsKnown(string name) => All.Any(t => t.Name == name);

    /// <summary>
    /// The targets to build: the requested ones plus their dependencies, or the default set
    /// (config, kernel, modules unless disabled, dtbs where the architecture has them).
    /// dtbs on an architecture without device trees is dropped.
    /// </summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string>? requested, bool enableModules, bool buildDtbs, bool archHasDtbs)
    {
        var wanted = new HashSet<string>(requested is { Count: > 0 }
            ? requested
            : [Config, Kernel, .. enableModules ? [Modules] : Array.Empty<string>(), .. buildDtbs ? [Dtbs] : Array.Empty<string>()]);
        if (!archHasDtbs) wanted.Remove(Dtbs);
        bool changed;
        do
        {
            changed = false;
            foreach (var (name, needs) in All)
                if (wanted.Contains(name))
                    foreach (var n in needs) changed |= wanted.Add(n);
        } while (changed);
        return All.Select(t => t.Name).Where(wanted.Contains).ToList();
    }
}
