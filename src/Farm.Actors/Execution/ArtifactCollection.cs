using System.Text;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The collecting step's two scripts, both run in the job's sandbox (bash -c, in the workspace).
/// A build controls its tree, so a pattern may match a symlink to anything the sandbox sees, or a
/// FIFO or device: only regular files whose real path is inside the build tree are collected, and
/// anything else a pattern names is refused (the step fails, naming it). The manifest is made last,
/// once every other sandbox has ended, from what is then in artifacts/: regular files only.
/// </summary>
public static class ArtifactCollection
{
    /// <summary>
    /// Copies what the patterns match in build/ into artifacts/ (patterns validated to [A-Za-z0-9._/*?+-]).
    /// The matches' real paths come from one realpath call (a process per file made this step cost
    /// tens of milliseconds); where that call cannot answer for each name (a link loop, a realpath
    /// without -m -z in a container image), each name is resolved on its own.
    /// </summary>
    public static string Collect(IEnumerable<string> patterns)
    {
        var s = new StringBuilder();
        s.Append("set -u; shopt -s nullglob globstar\n");
        s.Append("ws=$KFARM_WS; tree=$(realpath -e -- \"$ws/build\") || exit 1\n");
        // A series step's own copy goes to its folder (KFARM_DEST, relative to the workspace).
        s.Append("dest=${KFARM_DEST:-artifacts}\n");
        s.Append("cd ./build || exit 1\n");
        s.Append("names=()\n");
        // Left unquoted on purpose so bash globs them.
        foreach (var pattern in patterns)
            s.Append($"for f in {BuildScript.GlobFor(pattern)}; do names+=(\"$f\"); done\n");
        s.Append("[ ${#names[@]} -gt 0 ] || exit 0\n");
        s.Append("reals=(); mapfile -d '' reals < <(realpath -m -z -- \"${names[@]}\" 2>/dev/null)\n");
        s.Append("if [ ${#reals[@]} -ne ${#names[@]} ]; then\n");
        s.Append("  reals=(); for f in \"${names[@]}\"; do reals+=(\"$(realpath -e -- \"$f\" 2>/dev/null)\"); done\n");
        s.Append("fi\n");
        s.Append("for i in \"${!names[@]}\"; do\n");
        s.Append("  f=${names[$i]} r=${reals[$i]}\n");
        s.Append("  case \"$f\" in *.ko) continue ;; esac  # modules arrive through modules_install\n");
        s.Append("  [ -n \"$r\" ] && [ -e \"$r\" ] || continue  # a dangling link names nothing to collect\n");
        s.Append("  case \"$r\" in \"$tree\"/*) ;; *) printf 'kfarm: refused artifact %s: a symlink that leaves the build tree\\n' \"$f\"; exit 1 ;; esac\n");
        s.Append("  [ -d \"$r\" ] && continue\n");
        s.Append("  [ -f \"$r\" ] || { printf 'kfarm: refused artifact %s: not a regular file\\n' \"$f\"; exit 1; }\n");
        s.Append("  case \"$f\" in\n");
        s.Append("    *.dtb) d=$dest/dtbs/${f#arch/*/boot/dts/} ;;\n");
        s.Append("    *) d=$dest/${f##*/}; [ -e \"$ws/$d\" ] && d=$dest/files/$f ;;\n");
        s.Append("  esac\n");
        s.Append("  [ -d \"$ws/${d%/*}\" ] || mkdir -p -- \"$ws/${d%/*}\" || exit 1\n");
        s.Append("  cp -p -- \"$r\" \"$ws/$d\" || exit 1\n");
        s.Append("done\n");
        return s.ToString();
    }

    /// <summary>
    /// Prints manifest.tsv (sha256, size, path relative to artifacts/) of the regular files in
    /// artifacts/; symlinks and special files are not artifacts. A name with a tab, a newline or a
    /// backslash cannot be a manifest line: refused. Prints nothing a file name chose to stderr.
    /// One sha256sum and one stat for all the files (xargs keeps their order), not a few processes per file.
    /// </summary>
    public const string Manifest =
        "set -u; cd ./artifacts || exit 1\n" +
        "files=(); mapfile -d '' files < <(find . -type f -print0 | LC_ALL=C sort -z)\n" +
        "[ ${#files[@]} -gt 0 ] || exit 0\n" +
        "for p in \"${files[@]}\"; do\n" +
        "  case \"$p\" in *$'\\t'*|*$'\\n'*|*\\\\*) echo 'kfarm: refused artifacts: a file name with a tab, a newline or a backslash' >&2; exit 1 ;; esac\n" +
        "done\n" +
        "mapfile -t sums < <(printf '%s\\0' \"${files[@]}\" | xargs -0 sha256sum --)\n" +
        "mapfile -t sizes < <(printf '%s\\0' \"${files[@]}\" | xargs -0 stat -c %s --)\n" +
        "[ ${#sums[@]} -eq ${#files[@]} ] && [ ${#sizes[@]} -eq ${#files[@]} ] || { echo 'kfarm: the artifacts changed while the manifest was made' >&2; exit 1; }\n" +
        "for i in \"${!files[@]}\"; do\n" +
        "  printf '%s\\t%s\\t%s\\n' \"${sums[$i]:0:64}\" \"${sizes[$i]}\" \"${files[$i]#./}\" || exit 1\n" +
        "done\n";
}
