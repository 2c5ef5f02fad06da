#!/usr/bin/env bash
# Reads test result files (TRX, written by `dotnet test --logger trx`) and prints
#   totals <passed> <failed>            one line: failed counts errors, timeouts and aborts too
#   class <seconds> <tests> <class>     one line per test class (with --classes)
# A class's seconds are its wall-clock time: from the end of the test that ran before its first
# test (so a class fixture's start-up counts) to the end of its last test. Test classes run one at a
# time in the integration project, so these add up to the run; in a project whose classes run in
# parallel they overlap. Give --classes one file at a time.
# Usage: scripts/trx-summary.sh [--classes] FILE.trx...
set -euo pipefail
classes=false
[ "${1:-}" = --classes ] && { classes=true; shift; }
[ $# -gt 0 ] || { echo "usage: $0 [--classes] FILE.trx..." >&2; exit 2; }
for f in "$@"; do [ -s "$f" ] || { echo "$0: no result file $f" >&2; exit 1; }; done

# one element start tag per line, whatever the writer's line breaks
cat "$@" | tr '\n\r' '  ' | sed 's/</\n</g' | awk -v classes="$classes" '
function attr(tag, name,   m) {
  if (!match(tag, " " name "=\"[^\"]*\"")) return ""
  m = substr(tag, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
  return m
}
# seconds since 1970 of an ISO-8601 time with an offset (2026-12-07T04:40:12.3456789+00:00)
function epoch(t,   y, mo, d, h, mi, s, off, sign, days, era, yoe, doy, doe, mp) {
  y = substr(t, 1, 4) + 0; mo = substr(t, 6, 2) + 0; d = substr(t, 9, 2) + 0
  h = substr(t, 12, 2) + 0; mi = substr(t, 15, 2) + 0
  s = substr(t, 18); off = 0
  if (match(s, /[+-][0-9][0-9]:[0-9][0-9]$/)) {
    sign = substr(s, RSTART, 1) == "-" ? -1 : 1
    off = sign * (substr(s, RSTART + 1, 2) * 3600 + substr(s, RSTART + 4, 2) * 60)
    s = substr(s, 1, RSTART - 1)
  }
  sub(/Z$/, "", s); s = s + 0
  # days from civil (Howard Hinnant)
  if (mo <= 2) y--
  era = int(y / 400); yoe = y - era * 400
  mp = (mo + 9) % 12
  doy = int((153 * mp + 2) / 5) + d - 1
  doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
  days = era * 146097 + doe - 719468
  return days * 86400 + h * 3600 + mi * 60 + s - off
}
/^<Times / && runStart == "" { runStart = attr($0, "creation") }
/^<Counters / {
  passed += attr($0, "passed")
  failed += attr($0, "failed") + attr($0, "error") + attr($0, "timeout") + attr($0, "aborted")
  counted = 1
}
/^<UnitTestResult / && classes == "true" {
  name = attr($0, "testName"); start = attr($0, "startTime"); end = attr($0, "endTime")
  if (start == "" || end == "") next
  sub(/\(.*$/, "", name)             # a theory case: Ns.Class.Method(arg: "x.y")
  sub(/\.[^.]*$/, "", name)          # the method
  n++; cls[n] = name; st[n] = epoch(start); en[n] = epoch(end)
}
END {
  if (!counted) { print "no <Counters> in the result files" > "/dev/stderr"; exit 1 }
  printf "totals %d %d\n", passed, failed
  if (classes != "true") exit 0
  # sort the results by start time (insertion sort on indices: a few thousand at most)
  for (i = 1; i <= n; i++) order[i] = i
  for (i = 2; i <= n; i++) { k = order[i]; j = i - 1; while (j >= 1 && st[order[j]] > st[k]) { order[j + 1] = order[j]; j-- } order[j + 1] = k }
  lastEnd = runStart != "" ? epoch(runStart) : -1   # the first class: its fixture starts after the run does
  for (i = 1; i <= n; i++) {
    k = order[i]; c = cls[k]
    if (!(c in first)) first[c] = (lastEnd >= 0 && lastEnd < st[k]) ? lastEnd : st[k]
    if (!(c in final) || en[k] > final[c]) final[c] = en[k]
    count[c]++
    if (en[k] > lastEnd) lastEnd = en[k]
  }
  for (c in first) printf "class %.1f %d %s\n", final[c] - first[c], count[c], c
}'
