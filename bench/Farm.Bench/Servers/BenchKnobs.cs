using KernelFarm.IntegrationTests.Fixtures;

namespace KernelFarm.Bench.Servers;

/// <summary>
/// Two benchmark knobs for the fake kbuild tree, read from the job's custom_env, so that log-latency
/// and transfer can make a farm job print or write what they measure without changing tests/:
/// BENCH_LOG_LINES=N prints N lines "bench-line I &lt;unix ns&gt;", the time taken on the build server
/// right before the line is written, every BENCH_LOG_INTERVAL seconds; BENCH_ARTIFACT_MB=N writes an
/// N MiB random file build/bench/blob.bin (match it with artifact_patterns "bench/blob.bin").
/// </summary>
public static class BenchKnobs
{
    /// <summary>Commits the tree's scripts/fakebuild.sh with the knobs added (one more commit on master).</summary>
    public static void CommitTo(FakeKernelTree tree) =>
        tree.CommitFile("scripts/fakebuild.sh", FakeBuildScript(), "bench: timestamped lines and big artifacts");

    private static string FakeBuildScript()
    {
        const string anchor = "\tseconds=${FAKE_BUILD_SECONDS:-}\n";
        var text = FakeKernelTree.FakeBuildScriptText;
        if (!text.Contains(anchor, StringComparison.Ordinal))
            throw new InvalidOperationException("the fake tree's fakebuild.sh changed: update BenchKnobs.FakeBuildScript");
        const string knobs = """
            	if [ -n "${BENCH_LOG_LINES:-}" ]; then
            		i=1
            		while [ "$i" -le "$BENCH_LOG_LINES" ]; do
            			printf 'bench-line %d %s\n' "$i" "$(date +%s%N)"
            			sleep "${BENCH_LOG_INTERVAL:-0.1}"
            			i=$((i + 1))
            		done
            	fi
            	if [ -n "${BENCH_ARTIFACT_MB:-}" ]; then
            		mkdir -p bench
            		head -c "${BENCH_ARTIFACT_MB}M" /dev/urandom > bench/blob.bin
            		printf '  GEN     bench/blob.bin (%s MiB)\n' "$BENCH_ARTIFACT_MB"
            	fi

            """;
        // A build that takes its time before it can fail: passing and failing builds cost the same (bisection).
        const string compile = "\tif config_has CONFIG_FAKE_BROKEN=y; then\n";
        if (!text.Contains(compile, StringComparison.Ordinal))
            throw new InvalidOperationException("the fake tree's fakebuild.sh changed: update BenchKnobs.FakeBuildScript");
        const string first = "\tif [ -n \"${BENCH_SLEEP_FIRST:-}\" ]; then sleep \"$BENCH_SLEEP_FIRST\"; fi\n";
        return text.Replace(anchor, knobs + anchor, StringComparison.Ordinal).Replace(compile, first + compile, StringComparison.Ordinal);
    }
}
