using KernelFarm.Actors.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KernelFarm.Actors.Plans;

/// <summary>
/// Reads a TuxSuite plan (version 1) written as YAML, or the same as JSON (JSON is YAML's flow
/// style, so one reader takes both), anchors and merge keys (<c>&lt;&lt;: *base</c>, explicit keys
/// win) included. Every problem is reported
/// with its path in the file (<c>jobs[0].builds[17].kconfig</c>); nothing is guessed. Unknown
/// fields are refused rather than ignored: a field the farm does not know would change the build
/// without the farm doing it.
/// </summary>
public static class TuxPlanParser
{
    /// <summary>More than ClangBuiltLinux's largest plans (80 builds); a plan is one request.</summary>
    public const int MaxBuilds = 500;
    public const int MaxKconfigItems = 1 + JobRequestValidator.MaxKconfigFragments;
    /// <summary>A plan nests five deep (jobs, a job, builds, a build, its kconfig); far more is an attack.</summary>
    public const int MaxNesting = 32;

    private static readonly HashSet<string> PlanFields = ["version", "name", "description", "jobs"];
    private static readonly HashSet<string> JobFields = ["name", "build", "builds", "test", "tests", "sanity_test"];
    private static readonly HashSet<string> BuildFields =
        ["target_arch", "toolchain", "kconfig", "targets", "make_variables", "kernel_image", "build_name", "environment"];

    public static (TuxPlan? Plan, IReadOnlyList<ValidationError> Errors) Parse(string text)
    {
        var errors = new List<ValidationError>();
        YamlNode? root;
        try
        {
            // YamlDotNet builds its node tree recursively: 100,000 nested brackets (200 KB) overflow the
            // stack and end the process. Its event parser keeps its own stack, so the depth is checked first.
            if (Deeper(text, MaxNesting)) return (null, [new("plan", $"nests deeper than {MaxNesting} levels")]);
            var stream = new YamlStream();
            stream.Load(new Parser(new StringReader(text)));
            if (stream.Documents.Count != 1) return (null, [new("plan", $"must be one YAML or JSON document, not {stream.Documents.Count}")]);
            root = stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            return (null, [new("plan", $"is not valid YAML or JSON (line {e.Start.Line}, column {e.Start.Column}): {FirstLine(e.Message)}")]);
        }

        if (root is not YamlMappingNode planNode) return (null, [new("plan", "must be a mapping with version and jobs")]);
        var plan = Fields(planNode);
        Unknown(plan, PlanFields, "", errors);
        var version = Scalar(plan, "version", "version", errors);
        if (version is null) errors.Add(new("version", "is required (1)"));
        else if (version != "1") errors.Add(new("version", "must be 1 (TuxSuite plan version 1)"));
        var name = Scalar(plan, "name", "name", errors);
        var description = Scalar(plan, "description", "description", errors);

        var jobs = new List<TuxPlanJob>();
        var builds = 0;
        if (Child(plan, "jobs") is not YamlSequenceNode jobNodes || jobNodes.Children.Count == 0)
            errors.Add(new("jobs", "must be a non-empty list"));
        else
        {
            for (var j = 0; j < jobNodes.Children.Count && builds <= MaxBuilds; j++)
            {
                var path = $"jobs[{j}]";
                if (jobNodes.Children[j] is not YamlMappingNode jobNode) { errors.Add(new(path, "must be a mapping")); continue; }
                var job = Fields(jobNode);
                Unknown(job, JobFields, path + ".", errors);
                var jobName = Scalar(job, "name", path + ".name", errors) ?? $"job-{j}";
                var tests = job.Keys.Any(k => k is "test" or "tests" or "sanity_test");
                var buildNodes = new List<(YamlNode Node, string Path)>();
                var single = Child(job, "build");
                var many = Child(job, "builds");
                if (single is not null && many is not null) errors.Add(new(path, "has both build and builds; give one"));
                if (single is not null) buildNodes.Add((single, path + ".build"));
                if (many is YamlSequenceNode list)
                    buildNodes.AddRange(list.Children.Select((n, b) => (n, $"{path}.builds[{b}]")));
                else if (many is not null) errors.Add(new(path + ".builds", "must be a list of builds"));
                if (single is null && many is null) errors.Add(new(path, "has no build or builds (a plan of tests alone is not supported)"));

                builds += buildNodes.Count;
                if (builds > MaxBuilds) { errors.Add(new("jobs", $"has more than {MaxBuilds} builds")); break; }
                var parsed = buildNodes.Select(b => ReadBuild(b.Node, b.Path, jobName, tests, errors)).OfType<TuxPlanBuild>().ToList();
                jobs.Add(new TuxPlanJob(jobName, parsed, tests));
            }
        }
        return errors.Count > 0 ? (null, errors) : (new TuxPlan(name, description, jobs), []);
    }

    private static TuxPlanBuild? ReadBuild(YamlNode node, string path, string jobName, bool tests, List<ValidationError> errors)
    {
        if (node is not YamlMappingNode buildNode) { errors.Add(new(path, "must be a mapping")); return null; }
        var build = Fields(buildNode);
        var before = errors.Count;
        Unknown(build, BuildFields, path + ".", errors);
        var arch = Scalar(build, "target_arch", path + ".target_arch", errors);
        if (arch is null) errors.Add(new(path + ".target_arch", "is required"));
        var toolchain = Scalar(build, "toolchain", path + ".toolchain", errors);
        if (toolchain is null) errors.Add(new(path + ".toolchain", "is required"));

        IReadOnlyList<string> kconfig = [];
        switch (Child(build, "kconfig"))
        {
            case null: break;
            case YamlScalarNode s: kconfig = [s.Value ?? ""]; break;
            case YamlSequenceNode items when items.Children.Count is > 0 and <= MaxKconfigItems:
                kconfig = items.Children.Select((item, i) => item is YamlScalarNode { Value: { } v } ? v : Bad($"{path}.kconfig[{i}]", "must be a string")).ToList();
                break;
            case YamlSequenceNode items:
                errors.Add(new(path + ".kconfig", items.Children.Count == 0 ? "must not be an empty list" : $"has more than {MaxKconfigItems} items"));
                break;
            default: errors.Add(new(path + ".kconfig", "must be a string or a list of strings")); break;
        }

        IReadOnlyList<string>? targets = null;
        switch (Child(build, "targets"))
        {
            case null: break;
            case YamlSequenceNode items when items.Children.Count <= JobRequestValidator.MaxTargets:
                targets = items.Children.Select((item, i) => item is YamlScalarNode { Value: { } v } ? v : Bad($"{path}.targets[{i}]", "must be a string")).ToList();
                break;
            case YamlSequenceNode: errors.Add(new(path + ".targets", $"has more than {JobRequestValidator.MaxTargets} targets")); break;
            default: errors.Add(new(path + ".targets", "must be a list of target names")); break;
        }

        var variables = Map(build, "make_variables", path + ".make_variables", JobRequestValidator.MaxExtraMakeArgs, errors);
        var environment = Map(build, "environment", path + ".environment", JobRequestValidator.MaxCustomEnvEntries, errors);
        var image = Scalar(build, "kernel_image", path + ".kernel_image", errors);
        var buildName = Scalar(build, "build_name", path + ".build_name", errors);
        if (errors.Count > before) return null;
        return new TuxPlanBuild
        {
            Path = path, JobName = jobName, BuildName = buildName, TargetArch = arch!, Toolchain = toolchain!,
            Kconfig = kconfig, Targets = targets, MakeVariables = variables, Environment = environment, KernelImage = image, Tests = tests,
        };

        string Bad(string at, string message)
        {
            errors.Add(new(at, message));
            return "";
        }
    }

    private static Dictionary<string, string> Map(Dictionary<string, YamlNode> parent, string key, string path, int max, List<ValidationError> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Child(parent, key))
        {
            case null: break;
            case YamlMappingNode node when Fields(node) is var map && map.Count <= max:
                foreach (var (name, v) in map)
                {
                    if (name.Length == 0) { errors.Add(new(path, "has a key that is not a name")); continue; }
                    if (v is YamlScalarNode { Value: { } value }) result[name] = value;
                    else errors.Add(new($"{path}.{name}", "must be a string or a number"));
                }
                break;
            case YamlMappingNode: errors.Add(new(path, $"has more than {max} entries")); break;
            default: errors.Add(new(path, "must be a mapping of names to values")); break;
        }
        return result;
    }

    /// <summary>
    /// A mapping's fields with its merge keys applied: the fields of <c>&lt;&lt;: *a</c> (or of each
    /// of <c>&lt;&lt;: [*a, *b]</c>, earlier ones first) where the mapping does not set them itself.
    /// </summary>
    private static Dictionary<string, YamlNode> Fields(YamlMappingNode node, int depth = 0)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        YamlNode? merge = null;
        foreach (var (key, value) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (name == "<<" && key is YamlScalarNode { Style: ScalarStyle.Plain }) merge = value;
            else fields[name] = value;
        }
        if (merge is not null && depth < MaxMergeDepth)
        {
            var sources = merge is YamlSequenceNode list ? list.Children : [merge];
            foreach (var source in sources.OfType<YamlMappingNode>())
                foreach (var (name, value) in Fields(source, depth + 1))
                    fields.TryAdd(name, value);
        }
        return fields;
    }

    /// <summary>Merges of merges are followed this deep (no plan needs more; a cycle stops here).</summary>
    private const int MaxMergeDepth = 8;

    private static YamlNode? Child(Dictionary<string, YamlNode> parent, string key) =>
        parent.TryGetValue(key, out var node) && !IsNull(node) ? node : null;

    /// <summary>A scalar's text (numbers as written: version 1 is "1"); null when absent or null.</summary>
    private static string? Scalar(Dictionary<string, YamlNode> parent, string key, string path, List<ValidationError> errors)
    {
        switch (Child(parent, key))
        {
            case null: return null;
            case YamlScalarNode { Value: { } v }: return v;
            default: errors.Add(new(path, "must be a string")); return null;
        }
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static void Unknown(Dictionary<string, YamlNode> node, HashSet<string> known, string prefix, List<ValidationError> errors)
    {
        foreach (var name in node.Keys)
        {
            if (!known.Contains(name))
                errors.Add(new(prefix + (name.Length is > 0 and <= 64 ? name : "?"), $"is not a field the farm knows here (known: {string.Join(", ", known.Order(StringComparer.Ordinal))})"));
        }
    }

    /// <summary>Whether the document nests collections deeper than <paramref name="max"/> (read as events, without recursion).</summary>
    private static bool Deeper(string text, int max)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart:
                    if (++depth > max) return true;
                    break;
                case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                    depth--;
                    break;
            }
        }
        return false;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

}
