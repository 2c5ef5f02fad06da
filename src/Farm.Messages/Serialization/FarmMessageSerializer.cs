using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace KernelFarm.Messages.Serialization;

/// <summary>
/// Serializes every <see cref="IFarmMessage"/> (remote messages and journal events) as JSON with a
/// short, stable string manifest: the type name below the KernelFarm.Messages namespace.
/// </summary>
public sealed class FarmMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string Prefix = "KernelFarm.Messages.";
    private static readonly ConcurrentDictionary<string, Type> Types = new(
        typeof(IFarmMessage).Assembly.GetTypes()
            .Where(t => typeof(IFarmMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToDictionary(ManifestOf, t => t));

    public override int Identifier => 4711;

    public static string ManifestOf(Type t) => t.FullName!.StartsWith(Prefix, StringComparison.Ordinal) ? t.FullName[Prefix.Length..] : t.FullName;

    public override string Manifest(object o) => ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), FarmJson.Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, FarmJson.Options)!
            : throw new System.Runtime.Serialization.SerializationException($"unknown farm message manifest '{manifest}'");
}
