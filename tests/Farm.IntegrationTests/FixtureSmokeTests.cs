using System.Net.Sockets;
using KernelFarm.IntegrationTests.Fixtures;
using Renci.SshNet;
using Renci.SshNet.Common;
using Xunit;

namespace KernelFarm.IntegrationTests;

/// <summary>Proves the integration-test fixtures (real sshd, git daemon, fake kernel tree) work.</summary>
public sealed class FixtureSmokeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_ssh_servers_accept_the_client_key_and_present_the_advertised_host_key()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = await SshBuildServer.StartAsync("127.0.0.2", cts.Token);
        await using var b = await SshBuildServer.StartAsync("127.0.0.3", cts.Token);

        Assert.NotEqual(a.HostKeyFingerprintSha256, b.HostKeyFingerprintSha256);
        Assert.Equal(a.HostKeyFingerprintSha256, SshBuildServer.ReadFingerprint(a.HostPublicKeyPath));

        foreach (var server in new[] { a, b })
        {
            Assert.StartsWith("SHA256:", server.HostKeyFingerprintSha256);
            Assert.DoesNotContain("=", server.HostKeyFingerprintSha256);

            using var key = new PrivateKeyFile(server.PrivateKeyPath);
            var info = new ConnectionInfo(server.IpAddress, server.Port, server.Username,
                new PrivateKeyAuthenticationMethod(server.Username, key)) { Timeout = TimeSpan.FromSeconds(10) };
            using var client = new SshClient(info);
            string? seen = null;
            client.HostKeyReceived += (_, e) =>
            {
                seen = e.FingerPrintSHA256;
                e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == server.HostKeyFingerprintSha256;
            };

            await client.ConnectAsync(cts.Token);

            Assert.Equal(server.HostKeyFingerprintSha256, "SHA256:" + seen);
            using var id = client.RunCommand("id -un");
            Assert.Equal(0, id.ExitStatus);
            Assert.Equal(BuildUser.Name, id.Result.Trim());
            using var where = client.RunCommand("echo \"$" + SshBuildServer.SessionMarkerVariable + "\"");
            Assert.Equal(server.SessionMarker, where.Result.Trim());
        }

        // A server whose host key is not the advertised one is rejected by the same check.
        using var wrong = new SshClient(b.CreateConnectionInfo());
        wrong.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == a.HostKeyFingerprintSha256;
        await Assert.ThrowsAsync<SshConnectionException>(() => wrong.ConnectAsync(cts.Token));
    }

    [Fact]
    public async Task Sftp_upload_and_download_round_trip()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var server = await SshBuildServer.StartAsync("127.0.0.4", cts.Token);
        using var sftp = new SftpClient(server.CreateConnectionInfo());
        sftp.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == server.HostKeyFingerprintSha256;
        await sftp.ConnectAsync(cts.Token);

        var payload = new byte[256 * 1024 + 17];
        new Random(42).NextBytes(payload);
        var remote = server.WorkDirectory + "/upload/blob.bin";
        await sftp.CreateDirectoryAsync(server.WorkDirectory + "/upload", cts.Token);
        using (var upload = new MemoryStream(payload))
            await sftp.UploadFileAsync(upload, remote, cts.Token);

        using var download = new MemoryStream();
        await sftp.DownloadFileAsync(remote, download, cts.Token);
        Assert.Equal(payload, download.ToArray());

        Assert.Equal(BuildUser.Name, server.RunAsBuildUser($"stat -c %U '{remote}'").Trim());
        Assert.Equal(payload.Length.ToString(), server.RunAsBuildUser($"stat -c %s '{remote}'").Trim());
    }

    [Fact]
    public async Task Git_daemon_serves_the_fake_kernel_tree_and_it_builds_like_kbuild()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var repos = TempDirectory.Create("repos");
        using var tree = FakeKernelTree.Create(repos.Path);
        await using var daemon = await GitDaemon.StartAsync(repos.Path);
        using var work = TempDirectory.Create("work", ownedByBuildUser: true);

        var env = new Dictionary<string, string?> { ["URL"] = daemon.Url(FakeKernelTree.RepoDirName) };
        await BuildUser.RunAsync("""
            set -e
            git clone -q --depth 1 --branch master "$URL" src
            cd src
            git rev-parse HEAD > ../head
            git ls-files -s scripts/kconfig/merge_config.sh scripts/fakebuild.sh > ../modes
            make O=$PWD/b tinyconfig
            make O=$PWD/b -j2 ARCH=x86_64
            make O=$PWD/b2 x86_64_defconfig
            make O=$PWD/b2 -j2
            make O=$PWD/b2 modules
            make O=$PWD/b2 INSTALL_MOD_PATH=$PWD/inst modules_install
            """, workingDirectory: work.Path, environment: env, ct: cts.Token);

        var src = Path.Combine(work.Path, "src");
        Assert.Equal(tree.HeadCommit, File.ReadAllText(Path.Combine(work.Path, "head")).Trim());
        Assert.All(File.ReadAllLines(Path.Combine(work.Path, "modes")), l => Assert.StartsWith("100755 ", l));

        Assert.True(File.Exists(Path.Combine(src, "b/arch/x86/boot/bzImage")));
        Assert.True(File.Exists(Path.Combine(src, "b/vmlinux")));
        Assert.True(File.Exists(Path.Combine(src, "b/System.map")));
        Assert.DoesNotContain("CONFIG_MODULES", File.ReadAllText(Path.Combine(src, "b/.config")));
        Assert.False(File.Exists(Path.Combine(src, "b/drivers/fake/fake.ko")));

        var b2Config = File.ReadAllText(Path.Combine(src, "b2/.config"));
        Assert.Contains("CONFIG_MODULES=y", b2Config);
        Assert.Contains("CONFIG_LOCALVERSION=\"\"", b2Config);
        Assert.Contains("x86_64_defconfig", b2Config);
        Assert.True(File.Exists(Path.Combine(src, "inst/lib/modules/6.1.0-fake/kernel/drivers/fake/fake.ko")));

        var bogus = await BuildUser.RunAsync("make O=$PWD/b3 nosuchconfig", workingDirectory: src,
            throwOnError: false, ct: cts.Token);
        Assert.NotEqual(0, bogus.ExitCode);
        Assert.Contains("make[1]: *** No rule to make target 'nosuchconfig'.  Stop.", bogus.Stderr);
    }

    [Fact]
    public async Task Fake_kernel_build_knobs_work()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var repos = TempDirectory.Create("repos");
        using var tree = FakeKernelTree.Create(repos.Path);
        using var work = TempDirectory.Create("work");
        var src = Path.Combine(work.Path, "src");
        await Proc.RunAsync("git", ["clone", "-q", tree.BareRepoPath, src], cts.Token, throwOnError: true);

        async Task<ProcResult> Make(string args, IReadOnlyDictionary<string, string?>? env = null, bool check = true) =>
            await Proc.RunAsync("bash", ["-c", $"make -C '{src}' " + args], cts.Token, throwOnError: check,
                workingDirectory: work.Path, environment: env);

        var obj = Path.Combine(work.Path, "obj");
        Assert.Equal("6.1.0-fake", (await Make($"-s O={obj} kernelrelease")).Stdout.Trim());

        // KFARM_TEST_ECHO reaches the build literally: never evaluated by make or the shell.
        const string nasty = "$(shell touch /tmp/kfarm-pwned) `id` $HOME \"q' \\x41 %s ;|&";
        await Make($"O={obj} ARCH=arm64 defconfig");
        var built = await Make($"O={obj} ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -j4 Image modules dtbs",
            new Dictionary<string, string?> { ["KFARM_TEST_ECHO"] = nasty });
        Assert.Contains("echo: " + nasty + "\n", built.Stdout);
        var image = File.ReadAllText(Path.Combine(obj, FakeKernelTree.BootImagePath("arm64")));
        Assert.Contains("ARCH=arm64\n", image);
        Assert.Contains("CROSS_COMPILE=aarch64-linux-gnu-\n", image);
        Assert.Contains("KFARM_TEST_ECHO=" + nasty + "\n", image);
        Assert.False(File.Exists("/tmp/kfarm-pwned"));
        Assert.True(File.Exists(Path.Combine(obj, "arch/arm64/boot/dts/arm/fake-vexpress.dtb")));
        Assert.True(File.Exists(Path.Combine(obj, "arch/arm64/boot/dts/arm/fake-juno.dtb")));
        Assert.True(File.Exists(Path.Combine(obj, "drivers/fake/fake.ko")));

        // merge_config.sh: later fragments win; CONFIG_FAKE_BROKEN=y makes the build fail like gcc.
        var fragment = Path.Combine(work.Path, "broken.config");
        await File.WriteAllTextAsync(fragment, "CONFIG_FAKE_BROKEN=y\nCONFIG_FOO=\"a\"\n", cts.Token);
        var fragment2 = Path.Combine(work.Path, "foo.config");
        await File.WriteAllTextAsync(fragment2, "CONFIG_FOO=\"b\"\n", cts.Token);
        await Proc.RunAsync(Path.Combine(src, "scripts/kconfig/merge_config.sh"),
            ["-m", "-O", obj, Path.Combine(obj, ".config"), fragment, fragment2], cts.Token, throwOnError: true);
        var merged = await File.ReadAllLinesAsync(Path.Combine(obj, ".config"), cts.Token);
        Assert.Contains("CONFIG_FAKE_BROKEN=y", merged);
        Assert.DoesNotContain("# CONFIG_FAKE_BROKEN is not set", merged);
        Assert.Equal(["CONFIG_FOO=\"b\""], merged.Where(l => l.StartsWith("CONFIG_FOO=")));
        await Make($"O={obj} ARCH=arm64 olddefconfig");
        var broken = await Make($"O={obj} ARCH=arm64", check: false);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("init/main.c:1:1: error: fake compile error", broken.Stderr);

        // FAKE_BUILD_SECONDS: one CC line per second.
        var slowObj = Path.Combine(work.Path, "slow");
        await Make($"O={slowObj} allnoconfig");
        var slow = await Make($"O={slowObj}", new Dictionary<string, string?> { ["FAKE_BUILD_SECONDS"] = "2" });
        Assert.Contains("  CC      init/file1.o\n  CC      init/file2.o\n", slow.Stdout);
        Assert.True(File.Exists(Path.Combine(slowObj, "arch/x86/boot/bzImage")));

        // modules on a config without CONFIG_MODULES fails, as in kbuild.
        Assert.NotEqual(0, (await Make($"O={slowObj} modules", check: false)).ExitCode);

        // Fixed identities and dates: every fresh tree has the same first commit.
        using (var repos2 = TempDirectory.Create("repos"))
        using (var twin = FakeKernelTree.Create(repos2.Path))
            Assert.Equal(tree.InitialCommit, twin.InitialCommit);

        // CommitFile: a new commit on master, the old one is still reachable.
        var first = tree.HeadCommit;
        Assert.Equal(first, tree.InitialCommit);
        var second = tree.CommitFile("init/version.txt", "v2\n", "Add version file");
        Assert.NotEqual(first, second);
        Assert.Equal(second, tree.HeadCommit);
        var log = await Proc.RunAsync("git", ["--git-dir", tree.BareRepoPath, "rev-list", "master"], cts.Token, throwOnError: true);
        Assert.Equal([second, first], log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Stop_kills_sessions_and_refuses_connections_and_restart_brings_the_server_back()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var server = await SshBuildServer.StartAsync("127.0.0.5", cts.Token);
        var port = server.Port;
        var marker = "kfarm-smoke-" + Guid.NewGuid().ToString("N")[..8];
        // "[k]farm-..." matches the processes but not the bash -c running pgrep itself.
        string Pgrep(string suffix) => server.RunAsBuildUser($"pgrep -f '[k]{marker[1..]}{suffix}' || true").Trim();

        using (var client = await ConnectAsync(server, cts.Token))
        {
            // One detached (setsid, escapes sshd's process tree) and one attached long-running process.
            using var detach = client.RunCommand($"setsid -f bash -c 'sleep 300; true' {marker}-detached </dev/null >/dev/null 2>&1");
            Assert.Equal(0, detach.ExitStatus);
            using var attached = client.CreateCommand($"bash -c 'echo started; sleep 300; true' {marker}-attached");
            _ = attached.BeginExecute();
            using var reader = new StreamReader(attached.OutputStream);
            Assert.Equal("started", await reader.ReadLineAsync(cts.Token));

            Assert.NotEmpty(Pgrep("-attached"));
            Assert.NotEmpty(Pgrep("-detached"));
            Assert.NotEmpty(server.SessionProcessIds());

            await server.StopAsync();

            Assert.False(server.IsRunning);
            Assert.Empty(Pgrep(""));
            Assert.Empty(server.SessionProcessIds());
            Assert.False(await FreePort.IsListeningAsync(server.IpAddress, port, cts.Token));
        }

        using (var refused = new SshClient(server.CreateConnectionInfo()))
        {
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => refused.ConnectAsync(cts.Token));
            Assert.True(ex is SocketException or SshConnectionException, ex.ToString());
        }

        await server.RestartAsync(cts.Token);
        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        using (var client = await ConnectAsync(server, cts.Token))
        {
            using var id = client.RunCommand("id -un");
            Assert.Equal(BuildUser.Name, id.Result.Trim());
        }
    }

    private static async Task<SshClient> ConnectAsync(SshBuildServer server, CancellationToken ct)
    {
        var client = new SshClient(server.CreateConnectionInfo());
        client.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == server.HostKeyFingerprintSha256;
        try
        {
            await client.ConnectAsync(ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
