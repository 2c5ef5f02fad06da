namespace KernelFarm.Cli.Output;

/// <summary>
/// A one-line live display on a terminal: each update redraws the line in place (carriage return,
/// erase line), cut to the terminal's width so it never wraps.
/// </summary>
public sealed class StatusLine(TextWriter writer, Func<int> width)
{
    private bool _drawn;

    public void Update(string text)
    {
        var max = Math.Max(20, width() - 1);
        var line = text.Replace('\n', ' ').Replace('\r', ' ');
        if (line.Length > max) line = line[..(max - 1)] + "…";
        writer.Write("\r\u001b[2K" + line);
        writer.Flush();
        _drawn = true;
    }

    /// <summary>Erases the line so the next output starts on a clean one.</summary>
    public void Clear()
    {
        if (!_drawn) return;
        writer.Write("\r\u001b[2K");
        writer.Flush();
        _drawn = false;
    }

    public static int ConsoleWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 100; }
        catch (IOException) { return 100; }
    }
}
