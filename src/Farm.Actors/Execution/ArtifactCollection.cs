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
    /// <summary>Copies what the patterns match in build/ into artifacts/ (patterns validated to [A-Za-z0-9._/*?+-]).</summary>
    public static string Collect(IEnumerable<string> patterns)
    {
        var s = new StringBuilder();
        s.Append("set -u; shopt -s nullglob globstar\n");
        s.Append("ws=$KFARM_WS; tree=$(realpath -e -- \"$ws/build\") || exit 1\n");
        // A series step's own copy goes to its folder (KFARM_DEST, relative to the workspace).
        s.Append("dest=${KFARM_DEST:-artifacts}\n");
        s.Append("collect() {\n");
        s.Append("  local f=$1 d r\n");
        s.Append("  case \"$f\" in *.ko) return 0 ;; esac  # modules arrive through modules_install\n");
        s.Append("  r=$(realpath -e -- \"$f\") || return 0  # a dangling link names nothing to collect\n");
        s.Append("  case \"$r\" in \"$tree\"/*) ;; *) printf 'kfarm: refused artifact %s: a symlink that leaves the build tree\\n' \"$f\"; return 1 ;; esac\n");
        s.Append("  [ -d \"$r\" ] && return 0\n");
        s.Append("  [ -f \"$r\" ] || { printf 'kfarm: refused artifact %s: not a regular file\\n' \"$f\"; return 1; }\n");
        s.Append("  case \"$f\" in\n");
        s.Append("    *.dtb) d=$dest/dtbs/${f#arch/*/boot/dts/} ;;\n");
        s.Append("    *) d=$dest/${f##*/}; [ -e \"$ws/$d\" ] && d=$dest/files/$f ;;\n");
        s.Append("  esac\n");
        s.Append("  mkdir -p \"$(dirname \"$ws/$d\")\" && cp -p -- \"$r\" \"$ws/$d\"\n");
        s.Append("}\n");
        s.Append("cd ./build || exit 1\n");
        // Left unquoted on purpose so bash globs them.
        foreach (var pattern in patterns)
            s.Append($"for f in {BuildScript.GlobFor(pattern)}; do collect \"$f\" || exit 1; done\n");
        return s.ToString();
    }

    /// <summary>
    /// Prints manifest.tsv (sha256, size, path relative to artifacts/) of the regular files in
    /// artifacts/; symlinks and special files are not artifacts. A name with a tab, a newline or a
    /// backslash cannot be a manifest line: refused. Prints nothing a file name chose to stderr.
    /// </summary>
    public const string Manifest =
        "set -u; cd ./artifacts || exit 1\n" +
        "find . -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' p; do\n" +
        "  p=${p#./}\n" +
        "  case \"$p\" in *$'\\t'*|*$'\\n'*|*\\\\*) echo 'kfarm: refused artifacts: a file name with a tab, a newline or a backslash' >&2; exit 1 ;; esac\n" +
        "  printf '%s\\t%s\\t%s\\n' \"$(sha256sum < \"$p\" | cut -d' ' -f1)\" \"$(stat -c %s -- \"$p\")\" \"$p\" || exit 1\n" +
        "done\n";
}
