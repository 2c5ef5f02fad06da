using System.Globalization;
using System.Text;

namespace KernelFarm.Actors.Series;

/// <summary>The report as plain text a maintainer can paste into a reply: one line per patch, then the details.</summary>
public static class SeriesText
{
    public static string Render(SeriesReport report)
    {
        var s = new StringBuilder();
        var n = report.Patches ?? 0;
        s.Append(CultureInfo.InvariantCulture, $"KernelFarm series {report.Id}: {n} patch{(n == 1 ? "" : "es")}, {report.Result}\n\n");
        foreach (var step in report.Steps) s.Append(Line(step, n)).Append('\n');
        var details = report.Steps.Where(HasDetails).ToList();
        if (details.Count > 0) s.Append("\nDetails\n");
        foreach (var step in details)
        {
            s.Append('\n').Append(Label(step, n)).Append(' ').Append(step.Subject).Append('\n');
            foreach (var e in step.FirstErrors) s.Append("  error: ").Append(Describe(e)).Append('\n');
            foreach (var d in step.NewWarnings) s.Append("  new warning: ").Append(Describe(d)).Append('\n');
            foreach (var d in step.FixedWarnings) s.Append("  fixed warning: ").Append(Describe(d)).Append('\n');
            foreach (var d in step.NewErrors.Except(step.FirstErrors)) s.Append("  new error: ").Append(Describe(d)).Append('\n');
            if (step.SizeDelta is { } delta && delta.Total != 0)
            {
                s.Append(CultureInfo.InvariantCulture, $"  size: text {Signed(delta.Text)}, data {Signed(delta.Data)}, bss {Signed(delta.Bss)}");
                var top = step.Bloat.Take(5).Select(r => $"{r.Symbol} {Signed(r.Delta)}").ToList();
                s.Append(top.Count > 0 ? " (" + string.Join(", ", top) + ")\n" : "\n");
            }
            if (step.Config is { IsEmpty: false } config)
            {
                var parts = config.Added.Select(o => $"+{o.Name}={o.Value}")
                    .Concat(config.Removed.Select(o => $"-{o.Name}"))
                    .Concat(config.Changed.Select(c => $"{c.Name} {c.Old} -> {c.New}")).ToList();
                s.Append("  config: ").Append(string.Join(", ", parts.Take(20))).Append(parts.Count > 20 ? $", … ({parts.Count} in all)" : "").Append('\n');
            }
            if (step.Boot is { } boot && boot.Status == KernelFarm.Messages.Jobs.BootStatus.Fail)
                s.Append("  boot: fail").Append(boot.Reason is null ? "" : $" ({boot.Reason})").Append('\n');
        }
        return s.ToString();
    }

    private static bool HasDetails(SeriesStep s) =>
        s.Step > 0 && (s.FirstErrors.Count > 0 || s.NewWarnings.Count > 0 || s.FixedWarnings.Count > 0 || s.NewErrors.Count > 0
            || s.SizeDelta is { Total: not 0 } || s.Config is { IsEmpty: false } || s.Boot is { Status: KernelFarm.Messages.Jobs.BootStatus.Fail });

    private static string Label(SeriesStep s, int n) => s.Step == 0 ? "[base]" : $"[{s.Step}/{n}]";

    private static string Line(SeriesStep s, int n)
    {
        var parts = new List<string> { Label(s, n).PadRight(8), Cut(s.Subject, 60).PadRight(60), s.State.PadRight(12) };
        if (s.Seconds is { } sec) parts.Add($"{sec} s".PadLeft(6));
        if (s.Step > 0 && (s.NewWarnings.Count > 0 || s.FixedWarnings.Count > 0)) parts.Add($"warnings +{s.NewWarnings.Count}/-{s.FixedWarnings.Count}");
        else if (s.Warnings is { } w) parts.Add($"{w} W {s.Errors ?? 0} E");
        if (s.Step > 0 && s.SizeDelta is { } d) parts.Add($"size {Signed(d.Total)}");
        if (s.Step > 0 && s.Config is { IsEmpty: false }) parts.Add("config changed");
        if (s.Boot is { } b) parts.Add("boot " + b.Status.ToString().ToLowerInvariant());
        return string.Join("  ", parts).TrimEnd();
    }

    public static string Describe(Diagnostic d) =>
        (d.Line > 0 ? $"{d.File}:{d.Line}: " : d.File.Length > 0 ? d.File + ": " : "") + d.Message + (d.Option.Length > 0 ? $" [{d.Option}]" : "");

    private static string Signed(long v) => v > 0 ? "+" + v.ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
