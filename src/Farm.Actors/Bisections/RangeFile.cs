using KernelFarm.Messages.Bisections;

namespace KernelFarm.Actors.Bisections;

/// <summary>
/// The listing step's <c>bisect/range.tsv</c>: one line per commit, "SHA TAB AUTHOR TAB SUBJECT",
/// the good commit first, then the first-parent range oldest first, the bad commit last.
/// </summary>
public static class RangeFile
{
    public const string ArtifactPath = "bisect/range.tsv";
    public const int MaxSubject = 120, MaxAuthor = 80;

    /// <returns>The commits, or null with why the file is not a range.</returns>
    public static (IReadOnlyList<BisectCommit>? Commits, string? Error) Parse(string text)
    {
        var commits = new List<BisectCommit>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            var f = line.Split('\t', 3);
            if (f.Length < 3 || f[0].Length != 40 || !f[0].All(Uri.IsHexDigit))
                return (null, $"line {commits.Count + 1} is not \"sha TAB author TAB subject\"");
            commits.Add(new BisectCommit(commits.Count, f[0].ToLowerInvariant(), Cut(f[1], MaxAuthor), Cut(f[2], MaxSubject)));
        }
        if (commits.Count < 2) return (null, "the range holds no commit after the good one: good and bad are the same commit");
        return (commits, null);
    }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;
}
