using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;

namespace KernelFarm.Actors.Execution;

/// <summary>The architecture profiles embedded in this assembly as <c>arch/*.json</c> resources.</summary>
public sealed class ArchitectureCatalog
{
    private const string ResourcePrefix = "arch/";
    private const string ResourceSuffix = ".json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly Lazy<ArchitectureCatalog> DefaultInstance =
        new(() => Load(typeof(ArchitectureCatalog).Assembly), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<string, ArchitectureProfile> _profiles;

    /// <summary>Builds a catalog from explicit profiles (tests, or a deployment with its own set).</summary>
    public ArchitectureCatalog(IEnumerable<ArchitectureProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var byName = new Dictionary<string, ArchitectureProfile>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            if (!byName.TryAdd(profile.Name, profile))
            {
                throw new ArgumentException($"Duplicate architecture profile '{profile.Name}'.", nameof(profiles));
            }
        }

        _profiles = byName.ToFrozenDictionary(StringComparer.Ordinal);
        Names = byName.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The profiles embedded in Farm.Actors, loaded once.</summary>
    public static ArchitectureCatalog Default => DefaultInstance.Value;

    /// <summary>Known architecture names, sorted ordinally.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>Looks up a profile by its exact (case-sensitive) name.</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out ArchitectureProfile profile)
    {
        if (name is not null && _profiles.TryGetValue(name, out var found))
        {
            profile = found;
            return true;
        }

        profile = null;
        return false;
    }

    private static ArchitectureCatalog Load(Assembly assembly)
    {
        var profiles = new List<ArchitectureProfile>();
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                                 && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded resource '{resource}' vanished.");
            var profile = JsonSerializer.Deserialize<ArchitectureProfile>(stream, JsonOptions)
                ?? throw new InvalidOperationException($"Embedded resource '{resource}' is empty.");

            var fileName = resource[ResourcePrefix.Length..^ResourceSuffix.Length];
            if (!string.Equals(fileName, profile.Name, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Architecture profile '{resource}' declares name '{profile.Name}'; it must match the file name.");
            }

            profiles.Add(profile);
        }

        if (profiles.Count == 0)
        {
            throw new InvalidOperationException("No embedded architecture profiles (arch/*.json) were found.");
        }

        return new ArchitectureCatalog(profiles);
    }
}
