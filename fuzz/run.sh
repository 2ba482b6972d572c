#!/usr/bin/env bash
# Runs every importer fuzz target for SECONDS each (default 600) and prints one summary line per
# target: executions, exec/s, crashes. Seeds come from the conformance data and corpus/ (copied into
# the gitignored fuzz/corpus/, never committed).
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]      (needs `cargo install cargo-fuzz` and a nightly toolchain)
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"; shift || true
conf="${BIGFLAME_CONFORMANCE:-../../shared/conformance}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v bigflame-fuzz))
seed_dirs() {
    case "$1" in
        perf_script) echo "$conf/collapse-perf/inputs $conf/formats/linux-perf ../corpus/mixed-workload.perf.txt" ;;
        folded) echo "$conf/formats/folded" ;;
        speedscope) echo "$conf/formats/speedscope-json" ;;
        cpuprofile) echo "$conf/formats/chrome-cpuprofile ../corpus/node" ;;
        trace_event) echo "$conf/formats/trace-event $conf/formats/chrome-trace" ;;
        heap_profile) echo "$conf/formats/v8-heap-profile" ;;
        callgrind) echo "$conf/formats/callgrind ../corpus/callgrind" ;;
        pstats) echo "../corpus/cprofile" ;;
        pprof) echo "$conf/formats/pprof" ;;
        firefox) echo "$conf/formats/firefox" ;;
        stackprof) echo "$conf/formats/stackprof" ;;
        instruments) echo "$conf/formats/instruments-deep-copy" ;;
        instruments_trace) echo "$conf/formats/instruments-trace" ;;
        papyrus) echo "$conf/formats/papyrus" ;;
        pmcstat) echo "$conf/formats/pmcstat" ;;
        safari) echo "$conf/formats/safari" ;;
        ghc) echo "$conf/formats/haskell-ghc-prof-json" ;;
        jfr) echo "$conf/formats/java-flight-recorder ../corpus/jfr" ;;
    esac
}
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    for d in $(seed_dirs "$t"); do
        [ -e "$d" ] && find "$d" -type f -size -2M -exec cp -n {} "corpus/$t/" \; 2>/dev/null
    done
    log="$(mktemp)"
    cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -max_len=262144 -timeout=20 >"$log" 2>&1
    rc=$?
    done_line="$(grep -E '^#[0-9]+.*DONE' "$log" | tail -1)"
    crashes="$(ls artifacts/$t 2>/dev/null | wc -l)"
    echo "$t: rc=$rc ${done_line:-$(tail -1 "$log")} artifacts=$crashes"
    [ $rc -eq 0 ] || tail -30 "$log"
    rm -f "$log"
done
