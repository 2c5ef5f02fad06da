using System.Text;

namespace KernelFarm.Cli.Jobs;

/// <summary>Keeps the last complete, non-blank line of a log read in pieces (for the --wait display).</summary>
public sealed class LastLine
{
    private readonly Decoder _utf8 = new UTF8Encoding(false).GetDecoder();
    private readonly StringBuilder _partial = new();

    public string? Value { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[_utf8.GetCharCount(bytes, flush: false)];
        var n = _utf8.GetChars(bytes, chars, flush: false);
        foreach (var c in chars.AsSpan(0, n))
        {
            if (c == '\n')
            {
                var line = _partial.ToString().TrimEnd('\r').Trim();
                if (line.Length > 0) Value = line;
                _partial.Clear();
            }
            else _partial.Append(c);
        }
        if (_partial.Length > 4096) _partial.Remove(0, _partial.Length - 4096); // a line without end stays bounded
    }
}
