using TempDir = KernelFarm.IntegrationTests.Fixtures.TempDirectory;

namespace KernelFarm.IntegrationTests.Fixtures;

/// <summary>
/// A tiny bare git repository (<c>&lt;parent&gt;/fake-linux.git</c>, branch <c>master</c>) whose
/// top-level Makefile imitates Linux kbuild for the invocations the farm uses
/// (<c>make [-C src] O=&lt;abs dir&gt; ARCH=.. [CROSS_COMPILE=..] [-jN] &lt;goals&gt;</c>):
/// <list type="bullet">
/// <item><c>defconfig</c>, <c>x86_64_defconfig</c> (x86 only) write <c>O/.config</c> with
///   <c>CONFIG_MODULES=y</c>; <c>tinyconfig</c>, <c>allnoconfig</c> without it. Every .config has
///   <c>CONFIG_LOCALVERSION=""</c>, <c># CONFIG_FAKE_BROKEN is not set</c> and a comment naming the goal.
///   Any other <c>*config</c> goal prints <c>make[1]: *** No rule to make target 'X'.  Stop.</c> and fails (exit 2).
///   <c>olddefconfig</c> keeps .config (fails if there is none).</item>
/// <item><c>all</c> (default) / <c>vmlinux</c> / <c>bzImage</c> / <c>Image</c> / <c>zImage</c>: writes
///   <c>O/vmlinux</c>, <c>O/System.map</c>, <c>O/arch/&lt;srcarch&gt;/boot/&lt;image&gt;</c> (see
///   <see cref="BootImagePath"/>) and, with CONFIG_MODULES=y, <c>O/drivers/fake/fake.ko</c>.
///   Fails with <c>init/main.c:1:1: error: fake compile error</c> (exit 2) if .config has
///   <c>CONFIG_FAKE_BROKEN=y</c>. Env <c>FAKE_BUILD_SECONDS=N</c> makes it print one
///   <c>  CC      init/fileN.o</c> line per second (sleep 1) for N seconds. Env <c>KFARM_TEST_ECHO</c>
///   is printed as <c>echo: &lt;value&gt;</c> and written into every artifact as
///   <c>KFARM_TEST_ECHO=&lt;value&gt;</c>, verbatim (never evaluated). Artifacts also contain
///   <c>ARCH=</c>, <c>CROSS_COMPILE=</c> and <c>config-sha256=</c> lines.</item>
/// <item><c>modules</c> (needs CONFIG_MODULES=y, like kbuild), <c>modules_install</c> (needs
///   INSTALL_MOD_PATH; installs to <c>$INSTALL_MOD_PATH/lib/modules/6.1.0-fake/kernel/drivers/fake/fake.ko</c>),
///   <c>dtbs</c> (arm64: <c>arch/arm64/boot/dts/arm/fake-{vexpress,juno}.dtb</c>; x86: nothing),
///   <c>kernelrelease</c> (prints 6.1.0-fake), <c>clean</c>, <c>mrproper</c>.</item>
/// <item>Unknown ARCH (not x86_64/x86/i386/arm64/arm/riscv) fails every goal, as kbuild would.</item>
/// <item><c>scripts/kconfig/merge_config.sh [-m] -O dir base fragment...</c> (mode 100755).</item>
/// <item><c>NAME.config</c>: kbuild's fragment targets; appends <c>kernel/configs/NAME.config</c> and
///   <c>arch/&lt;srcarch&gt;/configs/NAME.config</c> (the tree has <c>kernel/configs/fake_guest.config</c>:
///   <c>CONFIG_FAKE_GUEST=y</c>) to .config; neither there fails as kbuild does.</item>
/// </list>
/// Commits use fixed identities and dates, so <see cref="InitialCommit"/> is the same sha on every run.
/// </summary>
public sealed partial class FakeKernelTree : IDisposable, IAsyncDisposable
{
    public const string RepoDirName = "fake-linux.git";
    public const string KernelRelease = "6.1.0-fake";

    private static readonly DateTimeOffset BaseDate = new(2023, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly object _commitLock = new();
    private int _commitCount;

    private FakeKernelTree(string bareRepoPath, string initialCommit)
    {
        BareRepoPath = bareRepoPath;
        InitialCommit = initialCommit;
        HeadCommit = initialCommit;
        _commitCount = 1;
    }

    /// <summary>Absolute path of the bare repository (<c>&lt;parent&gt;/fake-linux.git</c>).</summary>
    public string BareRepoPath { get; }

    public string Branch => "master";

    /// <summary>Full sha of the first commit (stable across runs).</summary>
    public string InitialCommit { get; }

    /// <summary>Full sha of the current tip of <see cref="Branch"/> (moves with <see cref="CommitFile"/>).</summary>
    public string HeadCommit { get; private set; }

    /// <summary>Creates <c>&lt;parentDir&gt;/fake-linux.git</c> (parentDir is created if needed).</summary>
    public static FakeKernelTree Create(string parentDir)
    {
        parentDir = Path.GetFullPath(parentDir);
        Directory.CreateDirectory(parentDir);
        var bare = Path.Combine(parentDir, RepoDirName);
        if (Directory.Exists(bare))
            throw new InvalidOperationException($"{bare} already exists");

        var work = TempDir.CreateUniqueDirectory("fake-linux-src");
        try
        {
            Git(work, "init", "-q", "-b", "master");
            WriteTree(work);
            Git(work, "add", "-A");
            Git(work, "update-index", "--chmod=+x", "scripts/fakebuild.sh", "scripts/kconfig/merge_config.sh");
            Commit(work, "Linux 6.1-fake\n\nFake kernel tree for KernelFarm integration tests.", 0);
            Git(parentDir, "clone", "-q", "--bare", "--no-local", work, bare);
            Git(bare, "remote", "remove", "origin");
            return new FakeKernelTree(bare, Git(bare, "rev-parse", "refs/heads/master"));
        }
        catch
        {
            TempDir.DeleteTree(bare);
            throw;
        }
        finally
        {
            TempDir.DeleteTree(work);
        }
    }

    /// <summary>
    /// Commits <paramref name="content"/> at <paramref name="relativePath"/> on top of
    /// <see cref="Branch"/> (temporary clone + push) and returns the new commit's full sha.
    /// </summary>
    public string CommitFile(string relativePath, string content, string message)
    {
        lock (_commitLock)
        {
            var work = TempDir.CreateUniqueDirectory("fake-linux-commit");
            try
            {
                var clone = Path.Combine(work, "src");
                Git(work, "clone", "-q", "--branch", Branch, BareRepoPath, clone);
                var file = Path.GetFullPath(Path.Combine(clone, relativePath));
                if (!file.StartsWith(clone + "/", StringComparison.Ordinal))
                    throw new ArgumentException($"path escapes the repository: {relativePath}", nameof(relativePath));
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllText(file, content);
                Git(clone, "add", "--", relativePath);
                Commit(clone, message, _commitCount);
                Git(clone, "push", "-q", "origin", $"HEAD:refs/heads/{Branch}");
                var sha = Git(clone, "rev-parse", "HEAD");
                _commitCount++;
                HeadCommit = sha;
                return sha;
            }
            finally
            {
                TempDir.DeleteTree(work);
            }
        }
    }

    /// <summary>kbuild's SRCARCH for an ARCH value (x86_64/i386 → x86).</summary>
    public static string SrcArch(string arch) => arch switch
    {
        "x86_64" or "x86" or "i386" => "x86",
        _ => arch,
    };

    /// <summary>Boot image path relative to O=, e.g. <c>arch/x86/boot/bzImage</c>, <c>arch/arm64/boot/Image</c>.</summary>
    public static string BootImagePath(string arch) => SrcArch(arch) switch
    {
        "x86" => "arch/x86/boot/bzImage",
        "arm" => "arch/arm/boot/zImage",
        var s => $"arch/{s}/boot/Image",
    };

    public void Dispose() => TempDir.DeleteTree(BareRepoPath);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"{BareRepoPath} @ {HeadCommit}";

    private static void WriteTree(string root)
    {
        const UnixFileMode exec = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                  UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                                  UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var files = new Dictionary<string, string>
        {
            ["Makefile"] = MakefileText,
            ["scripts/fakebuild.sh"] = FakeBuildScriptText,
            ["scripts/kconfig/merge_config.sh"] = MergeConfigScriptText,
            ["README"] = "Fake Linux kernel tree for the KernelFarm integration tests.\nSee the top of Makefile.\n",
            ["init/main.c"] = "// SPDX-License-Identifier: GPL-2.0\n/* Compiled with $(CC) when the farm sets CC (gcc-N, ccache); the rest only pretends. */\nint start_kernel(void)\n{\n\treturn 0;\n}\n",
            ["drivers/fake/fake.c"] = "// SPDX-License-Identifier: GPL-2.0\n/* Source of the fake module drivers/fake/fake.ko. */\n",
            ["arch/x86/configs/x86_64_defconfig"] = "CONFIG_MODULES=y\n",
            // a config fragment target (make fake_guest.config), as kernel/configs/kvm_guest.config is
            ["kernel/configs/fake_guest.config"] = "CONFIG_FAKE_GUEST=y\n",
            ["arch/arm64/configs/defconfig"] = "CONFIG_MODULES=y\n",
            ["arch/riscv/configs/defconfig"] = "CONFIG_MODULES=y\n",
        };
        foreach (var (relative, text) in files)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            if (relative.EndsWith(".sh", StringComparison.Ordinal))
                TempDir.SetMode(path, exec);
        }
    }

    private static void Commit(string workTree, string message, int sequence)
    {
        var date = BaseDate.AddMinutes(sequence).ToUnixTimeSeconds() + " +0000";
        Proc.Run("git",
        [
            "-c", "user.name=KernelFarm Tests", "-c", "user.email=tests@kernelfarm.invalid",
            "-c", "commit.gpgsign=false", "commit", "-q", "-m", message,
        ], workingDirectory: workTree, environment: GitEnvironment(new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_DATE"] = date,
            ["GIT_COMMITTER_DATE"] = date,
        }), throwOnError: true);
    }

    /// <summary>Runs git in <paramref name="cwd"/> isolated from user/system config; returns trimmed stdout.</summary>
    private static string Git(string cwd, params string[] args) =>
        Proc.Run("git", args, workingDirectory: cwd, environment: GitEnvironment(null), throwOnError: true).Stdout.Trim();

    private static Dictionary<string, string?> GitEnvironment(Dictionary<string, string?>? extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_DIR"] = null,
            ["GIT_WORK_TREE"] = null,
        };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
                env[k] = v;
        }
        return env;
    }
}
