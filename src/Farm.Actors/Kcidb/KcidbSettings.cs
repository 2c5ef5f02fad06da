namespace KernelFarm.Actors.Kcidb;

/// <summary>KCIDB output (<c>Farm:Kcidb</c>; env <c>Farm__Kcidb__Origin</c>): docs/kcidb.md.</summary>
public sealed class KcidbSettings
{
    /// <summary>The CI system's name in KCIDB, the prefix of every id (<c>^[a-z0-9_]+$</c>).</summary>
    public string Origin { get; set; } = "kernelfarm";

    /// <summary>The farm's address in artifact and log URLs (e.g. https://farm.example.org); unset: the request's scheme and host.</summary>
    public string? PublicUrl { get; set; }
}
