using System.Text.Json;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// How one persisted domain type is stored: its short manifest, the contract written under it, the
/// mapping both ways, and the manifests it is also read from (the CLR-name manifests of releases up
/// to 8457cc2). A retired version of a shape keeps a row that only reads.
/// </summary>
public sealed class JournalFormat
{
    public required string Manifest { get; init; }
    public required Type DomainType { get; init; }
    public required Type ContractType { get; init; }
    public required IReadOnlyList<string> ReadAliases { get; init; }
    /// <summary>False for a retired version: still read (and mapped to today's domain type), never written.</summary>
    public bool Writes { get; private init; } = true;
    private Func<object, object>? ToContract { get; init; }
    private Func<object, object> ToDomain { get; init; } = null!;

    public static JournalFormat Of<TDomain, TContract>(string manifest, Func<TDomain, TContract> write, Func<TContract, TDomain> read,
        params string[] readAliases) where TDomain : notnull where TContract : notnull =>
        new()
        {
            Manifest = manifest,
            DomainType = typeof(TDomain),
            ContractType = typeof(TContract),
            ReadAliases = readAliases,
            ToContract = d => write((TDomain)d),
            ToDomain = c => read((TContract)c),
        };

    /// <summary>A retired version of a shape: entries under <paramref name="manifest"/> still read; a newer row writes the type.</summary>
    public static JournalFormat Retired<TDomain, TContract>(string manifest, Func<TContract, TDomain> read, params string[] readAliases)
        where TDomain : notnull where TContract : notnull =>
        new()
        {
            Manifest = manifest,
            DomainType = typeof(TDomain),
            ContractType = typeof(TContract),
            ReadAliases = readAliases,
            Writes = false,
            ToDomain = c => read((TContract)c),
        };

    public byte[] Write(object domain) =>
        ToContract is null
            ? throw new InvalidOperationException($"journal format '{Manifest}' is retired: it is read, never written")
            : JsonSerializer.SerializeToUtf8Bytes(ToContract(domain), ContractType, JournalJson.Options);

    public object Read(byte[] bytes) =>
        ToDomain(JsonSerializer.Deserialize(bytes, ContractType, JournalJson.Options)
                 ?? throw new System.Runtime.Serialization.SerializationException($"journal entry '{Manifest}' is null"));
}
