using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using KernelFarm.Messages.Serialization.Journal;

namespace KernelFarm.Messages.Serialization;

/// <summary>
/// Serializes every <see cref="IFarmMessage"/> as JSON with a string manifest. What the farm persists
/// (<see cref="JournalFormats"/>) is written as its own journal contract under a short stable manifest
/// and read tolerantly, so a journal outlives changes to the domain and HTTP records; every other
/// message (remote only, never stored) keeps the API's strict JSON under its type name below the
/// KernelFarm.Messages namespace.
/// </summary>
public sealed class FarmMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string Prefix = "KernelFarm.Messages.";
    private static readonly ConcurrentDictionary<string, Type> Types = new(
        typeof(IFarmMessage).Assembly.GetTypes()
            .Where(t => typeof(IFarmMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToDictionary(ManifestOf, t => t));

    public override int Identifier => 4711;

    /// <summary>The type-name manifest of remote messages (and of journals written up to release 8457cc2).</summary>
    public static string ManifestOf(Type t) => t.FullName!.StartsWith(Prefix, StringComparison.Ordinal) ? t.FullName[Prefix.Length..] : t.FullName;

    public override string Manifest(object o) => JournalFormats.TryWriter(o.GetType(), out var f) ? f.Manifest : ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) =>
        JournalFormats.TryWriter(obj.GetType(), out var f) ? f.Write(obj) : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), FarmJson.Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        JournalFormats.TryReader(manifest, out var f) ? f.Read(bytes)
        : Types.TryGetValue(manifest, out var type) ? JsonSerializer.Deserialize(bytes, type, FarmJson.Options)!
        : throw new System.Runtime.Serialization.SerializationException($"unknown farm message manifest '{manifest}'");
}
