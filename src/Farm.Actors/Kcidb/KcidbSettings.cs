namespace KernelFarm.Actors.Kcidb;

/// <summary>KCIDB output (docs/kcidb.md): the origin of the document's ids, the farm's public address, and the optional push.</summary>
public sealed class KcidbSettings
{
    /// <summary>The CI system's name in KCIDB, the prefix of every id (<c>^[a-z0-9_]+$</c>).</summary>
    public string Origin { get; set; } = "kernelfarm";

    /// <summary>The farm's address in artifact and log URLs (e.g. https://farm.example.org); unset: the request's scheme and host.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>A KCIDB REST endpoint (e.g. https://kcidb.kernelci.org/submit) each ended build is pushed to; unset or empty: no push.</summary>
    public string? SubmitUrl { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> with each push. A secret: never logged, never in an API answer or a job record.</summary>
    public string? Token { get; set; }

    /// <summary>Whether ended builds are pushed.</summary>
    public bool Pushes => !string.IsNullOrWhiteSpace(SubmitUrl);
}
