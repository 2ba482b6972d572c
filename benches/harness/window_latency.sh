#!/usr/bin/env bash
# Input-to-frame latency of the real viewer window under Xvfb (lavapipe at 1600x900): loads FILE,
# waits for the load to finish, then drives xdotool gestures (Ctrl+wheel zoom, Shift+wheel and
# wheel pans, w/a/s/d, a drag, pointer moves) in Time Order, then in Left Heavy (`2`), then in
# thread lanes (`m`), and prints p50/p99 per view with the split of each frame's time (event-loop
# wait, our CPU work, upload, acquire, submit+present, GPU wait) from BIGFLAME_LATENCY_LOG.
#
# Usage: benches/harness/window_latency.sh FILE OUTDIR   (BIN=path/to/bigflame, default the release build)
set -u
FILE=$1; OUT=$2; mkdir -p "$OUT"
here="$(cd "$(dirname "$0")" && pwd)"
BIN=${BIN:-$here/../../target/release/bigflame}
DISP=:${DISP:-377}
Xvfb "$DISP" -screen 0 1920x1080x24 -nolisten tcp -noreset >/dev/null 2>&1 &
XPID=$!
sleep 1
export DISPLAY=$DISP XDG_RUNTIME_DIR=$OUT
BIGFLAME_LATENCY_LOG=$OUT/latency.jsonl BIGFLAME_VERBOSE=1 "$BIN" "$FILE" --width 1600 --height 900 2>"$OUT/stderr.txt" &
BPID=$!
for _ in $(seq 1 100); do WID=$(xdotool search --name bigflame 2>/dev/null | head -1); [ -n "$WID" ] && break; sleep 0.2; done
T0=$(date +%s.%N)
while ! grep -q "bigflame: loaded" "$OUT/stderr.txt" 2>/dev/null; do
    sleep 0.5
    if ! kill -0 $BPID 2>/dev/null; then echo died; cat "$OUT/stderr.txt"; kill $XPID; exit 1; fi
done
T1=$(date +%s.%N)
echo "load: $(echo "$T1 - $T0" | bc) s" > "$OUT/load.txt"
sleep 1
xdotool windowfocus --sync "$WID" 2>/dev/null
xdotool mousemove --window "$WID" 800 300
gestures() {
    for _ in $(seq 1 15); do xdotool keydown ctrl click 4 keyup ctrl; sleep 0.12; done
    for _ in $(seq 1 15); do xdotool keydown shift click 5 keyup shift; sleep 0.12; done
    for _ in $(seq 1 10); do xdotool click 5; sleep 0.12; done
    for _ in $(seq 1 10); do xdotool click 4; sleep 0.12; done
    for _ in $(seq 1 15); do xdotool keydown shift click 4 keyup shift; sleep 0.12; done
    for _ in $(seq 1 15); do xdotool keydown ctrl click 5 keyup ctrl; sleep 0.12; done
    for k in d d d a a a w w s s; do xdotool key $k; sleep 0.12; done
    xdotool mousedown 1
    for x in $(seq 800 -20 500); do xdotool mousemove --window "$WID" "$x" 300; sleep 0.03; done
    xdotool mouseup 1
    for i in $(seq 1 20); do xdotool mousemove --window "$WID" $((400 + i * 30)) $((200 + i * 10)); sleep 0.05; done
}
gestures
xdotool key 2; sleep 5
while xdotool search --name bigflame >/dev/null 2>&1 && ! grep -q "built View(LeftHeavy" "$OUT/stderr.txt"; do sleep 0.5; done
sleep 1
xdotool mousemove --window "$WID" 800 300
gestures
xdotool key m; prev=-1
while true; do n=$(grep -c "built" "$OUT/stderr.txt"); [ "$n" = "$prev" ] && break; prev=$n; sleep 2; done
gestures
sleep 1
uptime > "$OUT/uptime.txt"
xdotool windowclose "$WID" 2>/dev/null || kill $BPID
sleep 2; kill $BPID 2>/dev/null; wait $BPID 2>/dev/null
kill $XPID; wait $XPID 2>/dev/null
python3 "$here/latency_summary.py" "$OUT/latency.jsonl"
cat "$OUT/uptime.txt"
