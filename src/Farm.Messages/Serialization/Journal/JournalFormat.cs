using System.Text.Json;

namespace KernelFarm.Messages.Serialization.Journal;

/// <summary>
/// How one persisted domain type is stored: its short manifest, the contract written under it, the
/// mapping both ways, and the manifests it is also read from (the CLR-name manifests of releases up
/// to 8457cc2, retired versions of the same shape).
/// </summary>
public sealed class JournalFormat
{
    public required string Manifest { get; init; }
    public required Type DomainType { get; init; }
    public required Type ContractType { get; init; }
    public required IReadOnlyList<string> ReadAliases { get; init; }
    private Func<object, object> ToContract { get; init; } = null!;
    private Func<object, object> ToDomain { get; init; } = null!;

    public static JournalFormat Of<TDomain, TContract>(string manifest, Func<TDomain, TContract> write, Func<TContract, TDomain> read,
        params string[] readAliases) where TDomain : notnull where TContract : notnull => new()
    {
        Manifest = manifest,
        DomainType = typeof(TDomain),
        ContractType = typeof(TContract),
        ReadAliases = readAliases,
        ToContract = d => write((TDomain)d),
        ToDomain = c => read((TContract)c),
    };

    public byte[] Write(object domain) => JsonSerializer.SerializeToUtf8Bytes(ToContract(domain), ContractType, JournalJson.Options);

    public object Read(byte[] bytes) =>
        ToDomain(JsonSerializer.Deserialize(bytes, ContractType, JournalJson.Options)
                 ?? throw new System.Runtime.Serialization.SerializationException($"journal entry '{Manifest}' is null"));
}
