namespace KernelFarm.Messages.Servers;

/// <summary>
/// A container image a build server can run builds in (the server's <c>container_images</c>), with
/// the toolchains inside it: a job that names the image, or a toolchain only an image provides,
/// runs in it.
/// </summary>
public sealed record ContainerImage(string Name, IReadOnlyList<Toolchain> Toolchains);
