#!/usr/bin/env bash
# The benchmark harness: bench/run.sh [scenario...] [--quick]
# No scenario runs them all. Prints a table and writes bench/results/<yyyy-MM-dd>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/Farm.Bench -- "$@"
