#!/usr/bin/env bash
# Runs every test project (unit, actor, integration with real sshd/git/kernel builds) and ends
# with one line "N passed, N failed". Exits non-zero if anything failed or did not build.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
scripts/postgres-setup.sh || exit 1   # the multi-node tests run on a real PostgreSQL
log=$(mktemp)
dotnet test KernelFarm.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=0; failed=0
while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -nE 's/.*(Passed|Failed)! +- Failed: +([0-9]+), Passed: +([0-9]+).*/\2 \3/p' "$log")
rm -f "$log"
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # a build or runner error counts as a failure
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
