using System.Globalization;

namespace KernelFarm.Cli.Output;

/// <summary>Sizes for people: "512 B", "1.5 KiB", "23.4 MiB".</summary>
public static class Bytes
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Format(long bytes)
    {
        if (bytes < 1024) return $"{bytes} B";
        double v = bytes;
        var u = 0;
        while (v >= 1024 && u < Units.Length - 1) { v /= 1024; u++; }
        return v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[u];
    }
}
