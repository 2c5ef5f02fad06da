namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// The unprivileged Unix account (<c>kfbuild</c>) that the fake build servers log in as.
/// <see cref="EnsureExists"/> is idempotent and safe under parallel tests, both within
/// one test process (a lock) and across processes (flock(1) on a lock file + tolerating
/// useradd's "already exists").
/// </summary>
public static class BuildUser
{
    public const string Name = "kfbuild";

    private const string LockFile = TempDirectory.Root + "/.builduser.lock";
    private static readonly object Gate = new();
    private static volatile bool _ensured;
    private static int _uid = -1;
    private static int _gid = -1;
    private static string _home = "";

    public static int Uid { get { EnsureExists(); return _uid; } }
    public static int Gid { get { EnsureExists(); return _gid; } }
    public static string HomeDirectory { get { EnsureExists(); return _home; } }

    /// <summary>
    /// Sets the account up with scripts/setup-build-server.sh (idempotent): created if missing, key-only
    /// (password field <c>*</c>, not the locked <c>!</c> that sshd refuses without PAM), start-up files
    /// and authorized_keys owned by root, and bwrap checked to sandbox it.
    /// </summary>
    public static void EnsureExists()
    {
        if (_ensured)
            return;
        lock (Gate)
        {
            if (_ensured)
                return;
            TempDirectory.EnsureRoot();
            // The account is made the way a real build server's is (scripts/setup-build-server.sh, without
            // the package installs: .ci/run's install-deps.sh did those); flock(1) serialises concurrent test processes.
            var setup = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/setup-build-server.sh"));
            Proc.Run("flock", ["-w", "60", LockFile, "bash", setup, "--user", Name, "--no-install",
                "--workspace-root", TempDirectory.Root + "/build-server-workspaces"], throwOnError: true);

            var passwd = File.ReadLines("/etc/passwd")
                .Select(l => l.Split(':'))
                .First(f => f[0] == Name);
            _uid = int.Parse(passwd[2]);
            _gid = int.Parse(passwd[3]);
            _home = passwd[5];
            _ensured = true;
        }
    }

    /// <summary>Changes the owner (recursively) of <paramref name="path"/> to kfbuild:kfbuild.</summary>
    public static void Chown(string path)
    {
        EnsureExists();
        Proc.Run("chown", ["-R", $"{Name}:{Name}", "--", path], throwOnError: true);
    }

    /// <summary>
    /// Runs <c>runuser -u kfbuild -- bash -c &lt;command&gt; bash args...</c> locally. The command
    /// sees <paramref name="args"/> as "$1", "$2", ... and the given extra environment variables
    /// (runuser keeps the caller's environment, only HOME/SHELL/USER/LOGNAME are switched).
    /// Working directory defaults to the build user's home.
    /// </summary>
    public static Task<ProcResult> RunAsync(string bashCommand, IReadOnlyList<string>? args = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null,
        bool throwOnError = true, CancellationToken ct = default)
    {
        EnsureExists();
        return Proc.RunAsync("runuser", RunuserArgs(bashCommand, args), ct, throwOnError: throwOnError,
            workingDirectory: workingDirectory ?? _home, environment: environment);
    }

    /// <summary>Synchronous <see cref="RunAsync"/>.</summary>
    public static ProcResult Run(string bashCommand, IReadOnlyList<string>? args = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null,
        bool throwOnError = true)
    {
        EnsureExists();
        return Proc.Run("runuser", RunuserArgs(bashCommand, args), throwOnError: throwOnError,
            workingDirectory: workingDirectory ?? _home, environment: environment);
    }

    private static List<string> RunuserArgs(string bashCommand, IReadOnlyList<string>? args)
    {
        var list = new List<string> { "-u", Name, "--", "bash", "-c", bashCommand, "bash" };
        if (args is not null)
            list.AddRange(args);
        return list;
    }
}
