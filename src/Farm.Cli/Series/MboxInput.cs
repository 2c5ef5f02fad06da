using System.Text;

namespace KernelFarm.Cli.Series;

/// <summary>
/// `series submit --mbox`: the patches as <c>git format-patch --stdout</c> (or <c>b4 am</c>) writes
/// them, from a file or, for "-", from stdin; sent to the farm as text.
/// </summary>
public static class MboxInput
{
    public const string Stdin = "-";

    /// <summary>The farm's limit on the mbox of a series (POST /api/v1/series).</summary>
    public const int MaxBytes = 512 * 1024;

    /// <param name="path">a file, or "-" for stdin</param>
    /// <param name="openStdin">opens stdin (only called for "-")</param>
    /// <param name="stdinIsTerminal">stdin is a person's terminal, not a pipe: nothing would arrive</param>
    public static string Read(string path, Func<Stream> openStdin, bool stdinIsTerminal)
    {
        if (path == Stdin)
        {
            if (stdinIsTerminal)
                throw CliException.Usage("--mbox -: stdin is a terminal; pipe the patches in, e.g. git format-patch --stdout BASE.. | kfarm series submit --mbox - …");
            using var stdin = openStdin();
            return Text(ReadAtMost(stdin), "stdin");
        }
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            bytes = ReadAtMost(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read {path}: {e.Message}");
        }
        return Text(bytes, path);
    }

    /// <summary>The mbox's text; a usage error when it is too big, not UTF-8, or empty.</summary>
    public static string Text(byte[] bytes, string name)
    {
        if (bytes.Length > MaxBytes)
            throw CliException.Usage($"{name} is larger than {MaxBytes / 1024} KiB, the most the farm takes as an mbox: send fewer patches at a time, or push them and give --range");
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException)
        {
            throw CliException.Usage($"{name} is not UTF-8 text: the farm takes the mbox as text (git format-patch writes UTF-8 unless i18n.commitEncoding says otherwise)");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (string.IsNullOrWhiteSpace(text))
            throw CliException.Usage($"{name} is empty: expected the patches as git format-patch --stdout writes them");
        return text;
    }

    /// <summary>Up to one byte more than <see cref="MaxBytes"/>: enough to tell that it is too big without reading all of it.</summary>
    private static byte[] ReadAtMost(Stream stream)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (buffer.Length <= MaxBytes)
        {
            var n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, MaxBytes + 1 - buffer.Length));
            if (n == 0) break;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}
