#!/usr/bin/env bash
# Records a real multi-threaded workload with `perf record -g` and writes `perf script` text.
#
# Why: bigflame's benchmarks and tests need real recordings (real stacks from the kernel, libc, an
# interpreter, a compressor and a compiler) at sizes from megabytes to several gigabytes. Nothing large
# is committed; this script is the recipe. The workload runs for SECONDS on all cores at once:
#   * python3 corpus/workload/spin.py  (4 threads: json, hashing, sorting, regex)
#   * xz -T2 compressing a tar stream of system libraries
#   * gcc -O2 compiling a generated C file, repeatedly
#   * sort on random numbers
#   * cargo build --release of a real crate graph (syn, serde_json, regex-syntax from the local
#     ~/.cargo/registry, offline; skipped with a message when they are not there), rebuilt from
#     clean in a loop: rustc's own deep stacks, LLVM, the linker, many short processes
# With --dwarf, perf copies 16 KB of stack per sample (--call-graph dwarf,16384) and unwinds it
# with DWARF CFI at `perf script` time: stacks through code without frame pointers (libc, xz,
# rustc's LLVM) come out whole, at about 8x the text per sample and a much slower `perf script`.
# The output size grows linearly with SECONDS x FREQ (about 0.3-0.5 KB of text per sample with frame
# pointers, about 2 KB with --dwarf). Rough guide on 2 cores at -F 20000: 60 s gives ~0.6 GB.
#
# Usage: corpus/record-perf.sh [-s SECONDS] [-F FREQ] [--dwarf] [-o OUT.perf.txt]
#   then cut it: python3 corpus/cut.py OUT.perf.txt 10M 100M 1G
set -euo pipefail

seconds=10
freq=4999
callgraph="-g"
out="corpus/large/recording.perf.txt"
while [ $# -gt 0 ]; do
    case "$1" in
        -s) seconds="$2"; shift 2 ;;
        -F) freq="$2"; shift 2 ;;
        --dwarf) callgraph="--call-graph dwarf,16384"; shift ;;
        -o) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }

# A C file big enough that gcc works for a while.
python3 - "$work/gen.c" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(400):
        f.write(f"int f{i}(int x) {{ int s = 0; for (int j = 0; j < x; j++) s += (j * {i}) ^ (s >> 3); return s; }}\n")
    f.write("int main(void) { int t = 0;\n")
    for i in range(400):
        f.write(f"  t += f{i}({i});\n")
    f.write("  return t & 1; }\n")
PY

# A small real crate graph to build in release mode, offline from the local registry cache.
mkdir -p "$work/crate/src"
cat > "$work/crate/Cargo.toml" <<'TOML'
[package]
name = "bench-workload"
version = "0.1.0"
edition = "2021"

[dependencies]
regex-syntax = "0.8"
serde_json = "1"
syn = { version = "2", features = ["full"] }
TOML
echo 'fn main() { println!("{}", regex_syntax::parse("a+b").is_ok()); }' > "$work/crate/src/main.rs"
crate_loop=""
if command -v cargo >/dev/null && (cd "$work/crate" && CARGO_TARGET_DIR="$work/crate-target" \
        timeout 60 cargo generate-lockfile --offline >/dev/null 2>&1); then
    build="cd '$work/crate' && CARGO_TARGET_DIR='$work/crate-target' cargo build --release --offline -q"
    crate_loop="( while [ \$SECONDS -lt \$end ]; do rm -rf '$work/crate-target'; timeout \$((end - SECONDS + 1)) sh -c \"$build\" >/dev/null 2>&1; done ) &"
else
    echo "no offline crates for the cargo workload (syn, serde_json, regex-syntax): skipped" >&2
fi

cat > "$work/workload.sh" <<SH
#!/usr/bin/env bash
end=\$((SECONDS + $seconds))
python3 "$here/workload/spin.py" "$seconds" &
( while [ \$SECONDS -lt \$end ]; do tar -cf - /usr/lib/x86_64-linux-gnu 2>/dev/null | head -c 64000000 | timeout \$((end - SECONDS + 1)) xz -T2 -6 > /dev/null; done ) &
( while [ \$SECONDS -lt \$end ]; do timeout \$((end - SECONDS + 1)) gcc -O2 -c "$work/gen.c" -o "$work/gen.o"; done ) &
( while [ \$SECONDS -lt \$end ]; do seq 1 300000 | shuf | sort -n > /dev/null; done ) &
$crate_loop
wait
SH
chmod +x "$work/workload.sh"

echo "recording ${seconds}s at ${freq} Hz ($callgraph) ..." >&2
# shellcheck disable=SC2086
perf record -F "$freq" -e cpu-clock $callgraph -o "$work/perf.data" -- "$work/workload.sh" >/dev/null 2>"$work/record.log" \
    || { cat "$work/record.log" >&2; exit 1; }
echo "writing perf script text to $out ..." >&2
perf script -i "$work/perf.data" --no-inline > "$out" 2>"$work/script.log"
ls -l "$out" >&2
