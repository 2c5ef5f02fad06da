using System.Text;

namespace KernelFarm.Actors.Storage;

/// <summary>
/// The per-job cap on the central build log (Farm:Limits:MaxLogBytes). The log is cut at exactly
/// the cap, one line saying so is appended, and the job fails with kind "limit".
/// </summary>
public static class LogCap
{
    /// <summary>How many of <paramref name="incoming"/> bytes still fit into a log of <paramref name="length"/> bytes.</summary>
    public static int Admit(long length, int incoming, long max) => (int)Math.Clamp(max - length, 0, incoming);

    /// <summary>The log is at its cap: nothing more may be appended (not even a second cut line after a restart).</summary>
    public static bool IsFull(long length, long max) => length >= max;

    /// <summary>The job's failure message.</summary>
    public static string Reason(long max) =>
        $"the build log reached the limit of {max} bytes (Farm:Limits:MaxLogBytes): it was cut there and the build was stopped";

    /// <summary>The last line of a cut log (after a newline: the cut may fall in the middle of a line).</summary>
    public static byte[] CutLine(long max) =>
        Encoding.UTF8.GetBytes($"\n==> kfarm: log cut at {max} bytes (Farm:Limits:MaxLogBytes); the build was stopped\n");
}
