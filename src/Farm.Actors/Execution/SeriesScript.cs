using System.Text;
using static KernelFarm.Actors.Execution.ShellQuote;

namespace KernelFarm.Actors.Execution;

/// <summary>
/// The part of a series job's script after the checkout (docs/series.md): the base is built as
/// step 0, then each patch is applied with <c>git am -3</c> and built incrementally in the same
/// tree. Each step leaves artifacts/series/NNN/ (info, build.log, diagnostics, size, config,
/// bloat, boot) and prints "==> kfarm: series N STATE [SECONDS]" markers for the live view.
/// Everything that reads or writes a folder the build can write runs in the sandbox; the agent
/// only writes its own files and the log.
/// </summary>
public static class SeriesScript
{
    public const string Marker = "==> kfarm: series ";
    /// <summary>Uploaded by the launcher (mbox) or made from the range, in the workspace's own top folder.</summary>
    public const string MboxFile = "series.mbox";
    public const string StepsFolder = "artifacts/series";
    public const string WorkFolder = "build/.kfarm-series";
    public const string CompilerWrapper = BuildSandbox.FragmentsFolder + "/kfarm-diag-cc";
    /// <summary>What a compile printed on stderr, kept beside its object (OBJ.kfdiag).</summary>
    public const string DiagnosticsSuffix = ".kfdiag";

    /// <summary>The step folder's name: 000 is the base, 001 the first patch.</summary>
    public static string StepFolder(int step) => $"{StepsFolder}/{step:D3}";

    /// <summary>
    /// Runs the compiler and keeps its stderr beside the object it writes, so a step's diagnostics
    /// are those of every object of the tree, including the ones an incremental build did not
    /// recompile (exactly what a cold build of the same commit prints).
    /// </summary>
    public const string WrapperSource = """
        #!/bin/bash
        # KernelFarm: keeps each compile's diagnostics beside its object (OBJ.kfdiag).
        o= p=
        for a in "$@"; do [ "$p" = -o ] && o=$a; p=$a; done
        case $o in ''|-|/dev/*) exec "$@" ;; esac
        "$@" 2>"$o.kfdiag.tmp"; rc=$?
        cat -- "$o.kfdiag.tmp" >&2
        if [ -s "$o.kfdiag.tmp" ]; then mv -f -- "$o.kfdiag.tmp" "$o.kfdiag"; else rm -f -- "$o.kfdiag.tmp" "$o.kfdiag"; fi
        exit $rc

        """;

    /// <summary>In the sandbox: split the mbox, make a private git dir for git am (the mirror's objects as alternates), name each patch.</summary>
    public const string Split = """
        set -u; s=$KFARM_WS/build/.kfarm-series; mirror=$1; base=$2; warm=$3
        export GIT_DIR=$s/repo.git GIT_WORK_TREE=$KFARM_WS/source
        if [ -n "$warm" ] && [ -d "$GIT_DIR" ]; then
          # An earlier series' tree: only the files that differ from the new base are written (and so rebuilt).
          rm -rf "$s/patches" "$s/count" "$s/reconfigure" "$s/prev.vmlinux" && mkdir -p "$s/patches" || exit 1
          git am --abort >/dev/null 2>&1
          printf '%s/objects\n' "$mirror" > "$GIT_DIR/objects/info/alternates" || exit 1
          git checkout -q -f --detach "$base" || { echo 'kfarm: cannot check the base out in the warm tree'; exit 1; }
        else
          rm -rf "$s" && mkdir -p "$s/patches" || exit 1
          env -u GIT_DIR -u GIT_WORK_TREE git init -q --bare "$GIT_DIR" && git config core.bare false || exit 1
          printf '%s/objects\n' "$mirror" > "$GIT_DIR/objects/info/alternates" || exit 1
          git update-ref HEAD "$base" && git read-tree HEAD && git update-index -q --refresh >/dev/null || { echo 'kfarm: cannot prepare the tree for git am'; exit 1; }
        fi
        # git in the tree (scripts/setlocalversion) sees the series' commits, as in a cold build of each.
        rm -rf "$GIT_WORK_TREE/.git" && printf 'gitdir: %s\n' "$GIT_DIR" > "$GIT_WORK_TREE/.git" || exit 1
        n=$(git mailsplit -o"$s/patches" -- "$KFARM_WS/fragments/series.mbox") || { echo 'kfarm: git mailsplit could not split the patches'; exit 1; }
        for p in "$s"/patches/*; do
          i=$((10#${p##*/})); d=$(printf '%s/artifacts/series/%03d' "$KFARM_WS" "$i")
          mkdir -p "$d" && git mailinfo -u /dev/null /dev/null < "$p" > "$d/info" 2>/dev/null
        done
        printf '%s\n' "$n" > "$s/count"

        """;

    /// <summary>In the sandbox: apply patch $1 with git am -3 (aborted when it fails); note whether it touches the configuration.</summary>
    public const string Apply = """
        set -u; s=$KFARM_WS/build/.kfarm-series; p=$(printf '%s/patches/%04d' "$s" "$1")
        export GIT_DIR=$s/repo.git GIT_WORK_TREE=$KFARM_WS/source
        printf '+ git am -3 %s\n' "${p#$KFARM_WS/}"
        if ! git -c user.name=KernelFarm -c user.email=kernelfarm@localhost -c core.hooksPath=/dev/null am -3 -q -- "$p"; then
          git am --abort >/dev/null 2>&1; exit 1
        fi
        rm -f "$s/reconfigure"
        git diff --name-only HEAD~1 HEAD | grep -qE '(^|/)Kconfig|(^|/)configs/|^scripts/kconfig/|\.config$|^Makefile$|^arch/[^/]+/Makefile$' && touch "$s/reconfigure"
        exit 0

        """;

    public static IEnumerable<string> Lines(BuildPlan plan, IReadOnlyList<string> configureLines, string imageBuild, string sizeCommand)
    {
        var series = plan.Series ?? throw new ArgumentException("the plan is not a series", nameof(plan));
        yield return $"cat > {CompilerWrapper} <<'KFARM_DIAG_CC' || exit 90";
        foreach (var line in WrapperSource.TrimEnd('\n').Split('\n')) yield return line;
        yield return "KFARM_DIAG_CC";
        yield return $"chmod 755 {CompilerWrapper} || exit 90";
        if (series.Range is { } range)
        {
            var (b, h) = (Quote(range.Base), Quote(range.Head));
            yield return $"git -C \"$KFARM_MIRROR\" cat-file -e {h}^{{commit}} 2>/dev/null || run git -C \"$KFARM_MIRROR\" fetch -q --no-tags origin {h}";
            yield return $"printf '+ git format-patch --stdout %s..%s\\n' {b} {h}";
            yield return $"git -C \"$KFARM_MIRROR\" format-patch -q --stdout --no-signature {b}..{h} > {MboxFile} || exit $?";
        }
        yield return $"cp -- {MboxFile} {BuildSandbox.FragmentsFolder}/{MboxFile} || exit 90";
        yield return "KFARM_BASE=$(git -C \"$KFARM_MIRROR\" rev-parse \"$KFARM_REV^{commit}\") || exit $?";
        if (series.Tree is not null) yield return $"[ -n \"$KFARM_WARM\" ] && printf '{Marker}warm 1\\n'";
        yield return "printf '+ git mailsplit %s; git am setup\\n' " + MboxFile;
        yield return $"kfarm_sb bash -c {Quote(Split)} kfarm-split \"$KFARM_MIRROR\" \"$KFARM_BASE\" \"${{KFARM_WARM:-}}\" 2>&1 | kfarm_filter; [ \"${{PIPESTATUS[0]}}\" -eq 0 ] || exit 1";
        yield return $"KFARM_SERIES_N=$(kfarm_sb cat {WorkFolder}/count 2>/dev/null | tr -cd 0-9)";
        yield return "[ -n \"$KFARM_SERIES_N\" ] && [ \"$KFARM_SERIES_N\" -gt 0 ] || { echo 'kfarm: the mbox holds no patch'; exit 1; }";
        yield return $"printf '{Marker}count %s\\n' \"$KFARM_SERIES_N\"";
        yield return "for i in $(seq 1 \"$KFARM_SERIES_N\"); do";
        yield return $"  printf '{Marker}%s subject %s\\n' \"$i\" \"$(kfarm_sb sed -n 's/^Subject: //p' \"$(printf '{StepsFolder}/%03d/info' \"$i\")\" 2>/dev/null | tr -d '\\000-\\037\\177' | head -c 300)\"";
        yield return "done";
        // The tree as it is now, configured like a cold build when the configuration may have changed;
        // in a subshell, so that srun's exit ends only it.
        yield return "kfarm_series_build() {";
        yield return "  (";
        yield return $"    if [ \"$1\" = 0 ] || kfarm_sb test -e {WorkFolder}/reconfigure; then";
        foreach (var line in configureLines) yield return "      " + line;
        yield return "    fi";
        yield return "    " + imageBuild;
        yield return "  )";
        yield return "}";
        yield return "kfarm_series_log() {  # the step's part of build.log into its folder";
        yield return "  tail -c +$(($2 + 1)) build.log | kfarm_sb bash -c 'cat > \"$1/build.log\"' kfarm-log \"$1\"";
        yield return "}";
        yield return "kfarm_series_step() {";
        yield return "  local n=$1 d t0=$SECONDS from rc state";
        yield return $"  d=$(printf '{StepsFolder}/%03d' \"$n\")";
        yield return $"  printf '{Marker}%s building\\n' \"$n\"";
        yield return "  from=$(stat -c %s build.log)";
        yield return $"  kfarm_sb bash -c 'mkdir -p \"$1\" && touch {WorkFolder}/step-start' kfarm-step \"$d\" || exit 1";
        yield return "  kfarm_series_build \"$n\"; rc=$?";
        yield return "  if [ \"$rc\" -eq 0 ]; then state=passed; else state=build-failed; fi";
        yield return $"  kfarm_sb bash -c {Quote(Collect(sizeCommand))} kfarm-collect \"$d\" \"$state\" 2>&1 | kfarm_filter";
        if (series.StepArtifacts)
            yield return $"  [ \"$state\" = passed ] && {{ kfarm_sb env KFARM_DEST=\"$d/artifacts\" bash -c {Quote(ArtifactCollection.Collect(plan.ArtifactPatterns))} 2>&1 | kfarm_filter; }}";
        if (plan.Boot is { } boot)
        {
            yield return "  if [ \"$state\" = passed ]; then";
            yield return $"    kfarm_sb bash -c {Quote(BootTest.SandboxedStep(boot))} 2>&1 | kfarm_filter";
            yield return $"    kfarm_sb bash -c 'cp -- {BootTest.SandboxResultFile} \"$1/boot\"; cp -- artifacts/{BootTest.ConsoleLog} \"$1/console.log\"' kfarm-boot \"$d\" 2>/dev/null";
            yield return "  fi";
        }
        yield return "  kfarm_series_log \"$d\" \"$from\"";
        yield return $"  printf '{Marker}%s %s %s\\n' \"$n\" \"$state\" \"$((SECONDS - t0))\"";
        yield return "  KFARM_SERIES_LAST=$state";
        yield return "  [ \"$state\" = passed ]";
        yield return "}";
        yield return "kfarm_series_apply() {";
        yield return "  local n=$1 d from";
        yield return $"  d=$(printf '{StepsFolder}/%03d' \"$n\")";
        yield return $"  printf '{Marker}%s applying\\n' \"$n\"";
        yield return "  from=$(stat -c %s build.log)";
        yield return $"  kfarm_sb bash -c {Quote(Apply)} kfarm-apply \"$n\" 2>&1 | kfarm_filter";
        yield return "  [ \"${PIPESTATUS[0]}\" -eq 0 ] && return 0";
        yield return "  kfarm_series_log \"$d\" \"$from\"";
        yield return $"  printf '{Marker}%s apply-failed 0\\n' \"$n\"";
        yield return "  KFARM_SERIES_LAST=apply-failed";
        yield return "  return 1";
        yield return "}";
        yield return "";
        yield return "step building";
        yield return "KFARM_SERIES_LAST= KFARM_SERIES_STOP=";
        yield return "if ! kfarm_series_step 0; then";
        yield return $"  for i in $(seq 1 \"$KFARM_SERIES_N\"); do printf '{Marker}%s skipped 0\\n' \"$i\"; done";
        yield return "  echo 'kfarm: the base does not build: the series stops'";
        yield return "  exit 2";
        yield return "fi";
        yield return "for i in $(seq 1 \"$KFARM_SERIES_N\"); do";
        yield return $"  if [ -n \"$KFARM_SERIES_STOP\" ]; then printf '{Marker}%s skipped 0\\n' \"$i\"; continue; fi";
        yield return "  kfarm_series_apply \"$i\" || { KFARM_SERIES_STOP=1; continue; }";
        yield return series.ContinueOnFailure ? "  kfarm_series_step \"$i\"" : "  kfarm_series_step \"$i\" || KFARM_SERIES_STOP=1";
        yield return "done";
        foreach (var line in CcacheSteps.StatsLines(plan)) yield return line;
    }

    /// <summary>
    /// The last lines of a series that built to its end: its tree becomes the one the next series of
    /// its kind starts from (renamed into the cache, replacing the older one).
    /// </summary>
    public static IEnumerable<string> KeepTreeLines(BuildPlan plan)
    {
        if (plan.Series?.Tree is null) yield break;
        yield return "if [ \"$KFARM_SERIES_LAST\" = passed ] && mkdir -p \"${KFARM_TREE%/*}\" && [ \"$(stat -c %d \"${KFARM_TREE%/*}\")\" = \"$(stat -c %d .)\" ]; then";
        yield return "  rm -rf \"$KFARM_TREE.new.$$\" && mkdir \"$KFARM_TREE.new.$$\" && mv source build \"$KFARM_TREE.new.$$/\" &&";
        yield return "  { [ ! -d \"$KFARM_TREE\" ] || mv -T \"$KFARM_TREE\" \"$KFARM_TREE.old.$$\"; } && mv -T \"$KFARM_TREE.new.$$\" \"$KFARM_TREE\" &&";
        yield return "  echo 'kfarm: the built tree is kept for the next series of this kind'";
        yield return "  rm -rf \"$KFARM_TREE.old.$$\" \"$KFARM_TREE.new.$$\"";
        yield return "fi";
    }

    /// <summary>
    /// In the sandbox, after a step ($1 its folder, $2 its state): the diagnostics of every object
    /// that exists (and of compiles that failed in this step), the .config, and for a built step the
    /// vmlinux size and bloat-o-meter against the last built step.
    /// </summary>
    public static string Collect(string sizeCommand)
    {
        var s = new StringBuilder();
        s.Append("set -u; d=$1; state=$2; w=$KFARM_WS/" + WorkFolder + "\n");
        s.Append("(cd build && find . -name '*" + DiagnosticsSuffix + "' -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do\n");
        s.Append("  if [ -e \"${f%" + DiagnosticsSuffix + "}\" ] || [ \"$f\" -nt \"$w/step-start\" ]; then cat -- \"$f\"; fi\n");
        s.Append("done) > \"$d/diagnostics\"\n");
        s.Append("[ -f build/.config ] && cp -- build/.config \"$d/config\"\n");
        s.Append("[ \"$state\" = passed ] || exit 0\n");
        // vmlinux.o, before the final link: the linker script pads vmlinux's sections to page and
        // 2 MiB boundaries, which swallows a patch's few hundred bytes.
        s.Append("sz=$(f=build/vmlinux; [ -f build/vmlinux.o ] && f=build/vmlinux.o; " + sizeCommand.Replace("build/vmlinux", "\"$f\"", StringComparison.Ordinal) + ")\n");
        s.Append("[ -n \"$sz\" ] && printf '%s\\n' \"$sz\" > \"$d/size\"\n");
        s.Append("if [ -f \"$w/prev.vmlinux\" ] && [ -f build/vmlinux ] && [ -f source/scripts/bloat-o-meter ] && command -v python3 >/dev/null; then\n");
        s.Append("  python3 source/scripts/bloat-o-meter \"$w/prev.vmlinux\" build/vmlinux > \"$d/bloat\" 2>/dev/null\n");
        s.Append("fi\n");
        s.Append("[ -f build/vmlinux ] && cp -- build/vmlinux \"$w/prev.vmlinux\"\n");
        s.Append("exit 0\n");
        return s.ToString();
    }
}
