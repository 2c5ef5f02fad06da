using KernelFarm.Cli.Output;

namespace KernelFarm.Cli.Jobs;

/// <summary>
/// The display while `jobs submit --wait` waits: on a terminal one line redrawn in place (state,
/// elapsed time, last log line); otherwise a plain line when the state changes and every
/// <see cref="PlainEvery"/> while it does not.
/// </summary>
public sealed class WaitProgress(TextWriter writer, bool terminal, Func<int> width)
{
    public static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(30);

    private readonly StatusLine _line = new(writer, width);
    private string? _lastStatus;
    private TimeSpan _lastPrinted;

    public void Show(string jobId, string status, TimeSpan elapsed, string? lastLogLine)
    {
        var text = $"job {jobId}  {status}  {Durations.Format(elapsed)}";
        if (terminal)
        {
            _line.Update(lastLogLine is null ? text : $"{text}  | {lastLogLine}");
            return;
        }
        if (status == _lastStatus && elapsed - _lastPrinted < PlainEvery) return;
        _lastStatus = status;
        _lastPrinted = elapsed;
        writer.WriteLine(lastLogLine is null ? text : $"{text}  last: {lastLogLine}");
        writer.Flush();
    }

    public void Clear() => _line.Clear();
}
