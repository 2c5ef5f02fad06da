#!/usr/bin/env bash
# Runs the test projects and ends with one line "N passed, N failed"; exits non-zero if anything
# failed or did not build. The totals are read from the runner's result files (TRX), and the
# slowest test classes are listed just before that line (docs/tests.md).
#   scripts/test.sh          everything (what CI runs): unit, actor, CLI and integration tests with
#                            real sshd/git/kernel builds, a PostgreSQL cluster and Chromium
#   scripts/test.sh --quick  unit, actor and CLI tests, and the integration tests not marked
#                            [Trait("Tier", "Full")]: no real kernel build, PostgreSQL or browser
set -uo pipefail
cd "$(dirname "$0")/.."
quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

scripts/install-deps.sh --packages || exit 1
$quick || scripts/postgres-setup.sh || exit 1   # the multi-node tests run on a real PostgreSQL

results=${KFARM_TEST_RESULTS:-$(mktemp -d /tmp/kfarm-test-results.XXXXXX)}
mkdir -p "$results"

# The kernel's git repository and the builder image take minutes on a fresh machine and only the
# integration tests use them: they are made while the solution builds and the unit tests run.
scripts/install-deps.sh --assets >"$results/assets.log" 2>&1 &
assets=$!
assets_ready() {
  if wait "$assets"; then cat "$results/assets.log"; return 0; fi
  cat "$results/assets.log"; echo "making the kernel repository or the builder image failed (above)"; return 1
}
passed=0; failed=0
broken=()   # projects that did not build or whose runner gave no result file

if ! dotnet build KernelFarm.sln -c Release; then
  wait "$assets"
  echo "the solution did not build"
  echo "0 passed, 1 failed"
  exit 1
fi

projects=(tests/Farm.Tests tests/Farm.Cli.Tests tests/Farm.IntegrationTests)
for project in "${projects[@]}"; do
  name=$(basename "$project")
  filter=()
  $quick && [ "$name" = Farm.IntegrationTests ] && filter=(--filter "Tier!=Full")
  if [ "$name" = Farm.IntegrationTests ] && ! assets_ready; then broken+=("$name"); continue; fi
  rm -f "$results/$name.trx"
  dotnet test "$project" -c Release --no-build "${filter[@]}" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results"
  status=$?
  if ! totals=$(scripts/trx-summary.sh "$results/$name.trx"); then
    broken+=("$name"); continue
  fi
  read -r _ p f <<<"$totals"
  passed=$((passed + p)); failed=$((failed + f))
  # a runner that exits non-zero without a failed test (a crashed test host) still fails the run
  [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && broken+=("$name")
done

echo
echo "slowest test classes (seconds, tests, class; result files in $results):"
for trx in "$results"/*.trx; do
  [ -s "$trx" ] && scripts/trx-summary.sh --classes "$trx" | sed -n 's/^class //p'
done | sort -k1,1 -rn | head -20 | awk '{ printf "%8.1f s %5d  %s\n", $1, $2, $3 }'
for b in "${broken[@]}"; do echo "$b: the runner failed or wrote no results"; done

failed=$((failed + ${#broken[@]}))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
