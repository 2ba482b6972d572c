#!/usr/bin/env bash
# Makes the large JSON inputs of `benches/json_ingest.rs` in corpus/large/ (gitignored).
#
# Why: JSON ingest speed must be measured on tens of megabytes of real tool output, which is too big
# to commit. This is the recipe (about 1.5 minutes on 2 cores):
#   * node-40s.cpuprofile: `node --cpu-prof --cpu-prof-interval 20` of workload.js for 40 s (~2 MB)
#   * node-big.cpuprofile: the same recording with its samples replayed 20 times (grow.js, ~40 MB)
#   * node-trace.json: `node --trace-event-categories ...` of workload.js for 30 s: V8 and Node
#     trace events (X, B/E, instant, metadata), the Trace Event Format as tracers write it
#   * node-timeline.json: the same with V8's CPU profiler category, so the trace embeds
#     Profile/ProfileChunk sample events like a DevTools Performance-panel export
#
# Usage: corpus/node/record-large.sh [SECONDS]
set -euo pipefail

seconds="${1:-30}"
here="$(cd "$(dirname "$0")" && pwd)"
large="$here/../large"
mkdir -p "$large"
"$here/record.sh" -s 40 -i 20 -o "$large/node-40s.cpuprofile"
node "$here/grow.js" "$large/node-40s.cpuprofile" "$large/node-big.cpuprofile" 20

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cats="v8,node,node.async_hooks,node.perf,v8.execute,disabled-by-default-v8.gc,disabled-by-default-v8.compile"
(cd "$tmp" && node --trace-event-categories "$cats" --trace-event-file-pattern 'trace.json' \
    "$here/workload.js" "$seconds" >/dev/null)
mv "$tmp/trace.json" "$large/node-trace.json"
(cd "$tmp" && node --trace-event-categories "v8,disabled-by-default-v8.cpu_profiler" \
    --trace-event-file-pattern 'timeline.json' "$here/workload.js" 10 >/dev/null)
mv "$tmp/timeline.json" "$large/node-timeline.json"
ls -l "$large"/node-*
