#!/usr/bin/env bash
# Records corpus/node/workload.js with `node --cpu-prof` and writes the profile plus its independent
# totals (computed with node from the raw JSON, not by bigflame).
#
# Why: the importer tests need a real .cpuprofile made by a real V8, and the benchmark needs a large
# one. The small profile (default: 1 s at a 1 ms interval, ~20 KB) is committed as
# corpus/node/workload.cpuprofile; large ones go to corpus/large/ (gitignored):
#   corpus/node/record.sh -s 60 -i 20 -o corpus/large/node-60s.cpuprofile   (tens of MB)
#
# Usage: corpus/node/record.sh [-s SECONDS] [-i INTERVAL_US] [-o OUT.cpuprofile]
set -euo pipefail

seconds=1
interval=1000
out="corpus/node/workload.cpuprofile"
while [ $# -gt 0 ]; do
    case "$1" in
        -s) seconds="$2"; shift 2 ;;
        -i) interval="$2"; shift 2 ;;
        -o) out="$2"; shift 2 ;;
        *) echo "usage: $0 [-s SECONDS] [-i INTERVAL_US] [-o OUT.cpuprofile]" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"
node --cpu-prof --cpu-prof-dir="$tmp" --cpu-prof-interval "$interval" "$here/workload.js" "$seconds" >/dev/null
mv "$tmp"/*.cpuprofile "$out"
chmod 644 "$out"

# Independent totals, next to the profile: the sum of timeDeltas after the first (the first is the
# offset from startTime) is the time from the first to the last sample, which is what a viewer
# attributes to samples; plus the sample and node counts.
node -e '
const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const d = p.timeDeltas;
let span = 0;
for (let i = 1; i < d.length; i++) span += d[i];
console.log(JSON.stringify({
  samples: p.samples.length,
  nodes: p.nodes.length,
  time_deltas_sum_us: d.reduce((a, b) => a + b, 0),
  sampled_span_us: span,
}, null, 1));
' "$out" > "${out%.cpuprofile}.totals.json"
ls -l "$out" "${out%.cpuprofile}.totals.json"
