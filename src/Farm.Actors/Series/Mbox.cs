using System.Text.RegularExpressions;

namespace KernelFarm.Actors.Series;

/// <summary>
/// The messages of an mbox as <c>git mailsplit</c> (which the build server runs) separates them:
/// a message starts at a line "From …" that ends in a time and a year, like mailsplit's
/// is_from_line ("From 1a2b… Mon Sep 17 00:00:00 2001"). The farm only
/// counts and names the patches at submission; the server splits and applies the same bytes.
/// </summary>
public static partial class Mbox
{
    public sealed record Patch(string Subject, string Author, bool HasDiff);

    public static IReadOnlyList<Patch> Patches(string mbox)
    {
        var patches = new List<Patch>();
        var lines = mbox.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? subject = null, author = null, last = null;
        bool inMessage = false, inHeaders = false, diff = false;
        void Close()
        {
            if (inMessage) patches.Add(new(subject ?? "", author ?? "", diff));
        }
        foreach (var line in lines)
        {
            if (FromLine().IsMatch(line))
            {
                Close();
                inMessage = true; inHeaders = true; diff = false; subject = null; author = null;
                continue;
            }
            if (!inMessage) continue;
            if (inHeaders)
            {
                if (line.Length == 0) { inHeaders = false; continue; }
                if (line[0] is ' ' or '\t')
                {   // a folded header line continues the one before
                    if (last == "subject") subject += " " + line.Trim();
                    else if (last == "from") author += " " + line.Trim();
                    continue;
                }
                last = null;
                if (line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase)) { subject = line[8..].Trim(); last = "subject"; }
                else if (line.StartsWith("From:", StringComparison.OrdinalIgnoreCase)) { author = line[5..].Trim(); last = "from"; }
                continue;
            }
            if (line.StartsWith("diff --git ", StringComparison.Ordinal) || line.StartsWith("+++ ", StringComparison.Ordinal)) diff = true;
        }
        Close();
        return patches;
    }

    /// <summary>"[PATCH v2 3/7] net: fix x" → "net: fix x": the subject people read in a report.</summary>
    public static string PlainSubject(string subject) => TagPrefix().Replace(subject, "").Trim();

    [GeneratedRegex(@"^From .*\d:\d\d:\d\d\s+\d{2,4}\s*$")]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^(\s*\[[^\]]*\]\s*)+")]
    private static partial Regex TagPrefix();
}
