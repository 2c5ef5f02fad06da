namespace KernelFarm.Messages.Servers;

/// <summary>
/// What the pool's probe found of a server's declared container runtime and images: the runtime's
/// version line (null when it is missing or printed none) and which declared images are in its
/// local store (builds never pull: <c>--pull=never</c>).
/// </summary>
public sealed record DetectedContainers(
    string? RuntimeVersion,
    bool RuntimeFound,
    IReadOnlyList<string> PresentImages,
    IReadOnlyList<string> MissingImages);
