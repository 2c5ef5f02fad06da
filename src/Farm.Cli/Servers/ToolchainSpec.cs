using System.Text.Json.Nodes;

namespace KernelFarm.Cli.Servers;

/// <summary>
/// The --toolchain flag: <c>NAME:ARCH[,ARCH…][:CROSS_COMPILE]</c>, e.g. <c>gcc-12:x86_64,i386</c> or
/// <c>gcc-12:arm64:aarch64-linux-gnu-</c>.
/// </summary>
public static class ToolchainSpec
{
    public static JsonObject Parse(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Trim().Length == 0)
            throw CliException.Usage($"--toolchain '{spec}': expected NAME:ARCH[,ARCH][:CROSS_COMPILE], e.g. gcc-12:x86_64,i386");
        var arches = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (arches.Length == 0) throw CliException.Usage($"--toolchain '{spec}': names no architecture");
        return new JsonObject
        {
            ["name"] = parts[0].Trim(),
            ["target_architectures"] = new JsonArray(arches.Select(a => (JsonNode)a).ToArray()),
            ["cross_compile"] = parts.Length == 3 ? parts[2].Trim() : "",
        };
    }
}
