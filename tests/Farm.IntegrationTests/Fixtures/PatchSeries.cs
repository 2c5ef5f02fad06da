namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// Makes a patch series on a repository with real git: a clone at a base commit, one commit per
/// edit, then <c>git format-patch --stdout</c> (the mbox a developer sends) or a push (for a range).
/// </summary>
public sealed class PatchSeries : IDisposable
{
    private readonly string _work;
    private readonly string _clone;
    private int _count;

    public string Base { get; }

    private PatchSeries(string work, string clone, string baseCommit)
    {
        _work = work;
        _clone = clone;
        Base = baseCommit;
    }

    /// <summary>A clone of <paramref name="repository"/> at <paramref name="branch"/>'s tip (or <paramref name="commit"/>).</summary>
    /// <param name="sparse">No checkout (a kernel tree is 80,000 files): the index alone, and only the files a patch writes.</param>
    public static PatchSeries On(string repository, string branch = "master", string? commit = null, bool sparse = false)
    {
        var work = TempDirectory.CreateUniqueDirectory("patch-series");
        var clone = Path.Combine(work, "src");
        Git(work, sparse ? ["clone", "-q", "--shared", "--no-checkout", "--branch", branch, repository, clone] : ["clone", "-q", "--branch", branch, repository, clone]);
        if (commit is not null) Git(clone, "checkout", "-q", "--detach", commit);
        if (sparse) Git(clone, "read-tree", "HEAD");
        return new PatchSeries(work, clone, Git(clone, "rev-parse", "HEAD"));
    }

    public string PathOf(string relativePath) => Path.Combine(_clone, relativePath);

    /// <summary>The file as the last patch left it.</summary>
    public string Read(string relativePath) => Git(_clone, "show", $"HEAD:{relativePath}") + "\n";

    /// <summary>Commits an edit of one file (new content) as the next patch; returns its sha.</summary>
    public string Patch(string subject, string relativePath, string content)
    {
        var file = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        Git(_clone, "add", "--", relativePath);
        _count++;
        var date = new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.Zero).AddMinutes(_count).ToString("O");
        Proc.Run("git", ["-c", "user.name=Patch Author", "-c", "user.email=author@example.org", "commit", "-q", "-m", subject, "--date", date],
            workingDirectory: _clone, environment: new Dictionary<string, string?> { ["GIT_COMMITTER_DATE"] = date, ["GIT_CONFIG_GLOBAL"] = "/dev/null" },
            throwOnError: true);
        return Head;
    }

    public string Head => Git(_clone, "rev-parse", "HEAD");

    /// <summary>The series as git format-patch --stdout writes it.</summary>
    public string Mbox() => Git(_clone, "format-patch", "-q", "--stdout", $"{Base}..HEAD") + "\n";

    /// <summary>Pushes the series as a branch of the repository (for a range submission).</summary>
    public void Push(string branch) => Git(_clone, "push", "-q", "origin", $"HEAD:refs/heads/{branch}");

    private static string Git(string cwd, params string[] args) =>
        Proc.Run("git", args, workingDirectory: cwd,
            environment: new Dictionary<string, string?> { ["GIT_CONFIG_GLOBAL"] = "/dev/null", ["GIT_CONFIG_NOSYSTEM"] = "1", ["GIT_DIR"] = null, ["GIT_WORK_TREE"] = null },
            throwOnError: true).Stdout.TrimEnd('\n');

    public void Dispose() => TempDirectory.DeleteTree(_work);
}
