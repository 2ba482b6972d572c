#!/usr/bin/env bash
# Installs the peers the comparison harness measures bigflame against (run once per machine/CI image).
#
# Why a script: the harness never installs anything itself (a benchmark run must not download),
# and CI needs the exact same versions as the committed results: speedscope 1.25 with
# playwright-core in ~/.cache/bigflame-harness (outside the repo), Debian's Chromium, Xvfb and
# xdotool for the real window, inferno-collapse-perf from crates.io.
#
# Usage: benches/harness/setup-peers.sh [--no-apt] [--no-inferno]
set -euo pipefail

apt=1
inferno=1
for a in "$@"; do
    case "$a" in
        --no-apt) apt=0 ;;
        --no-inferno) inferno=0 ;;
        *) echo "unknown argument: $a" >&2; exit 2 ;;
    esac
done

if [ "$apt" = 1 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get install -y --no-install-recommends chromium xvfb xdotool mesa-vulkan-drivers
    # NodeSource's nodejs ships npm and conflicts with Debian's npm package: keep an installed Node.
    command -v npm >/dev/null || $sudo apt-get install -y --no-install-recommends nodejs npm
fi

cache="${BIGFLAME_HARNESS_CACHE:-$HOME/.cache/bigflame-harness}"
mkdir -p "$cache"
(cd "$cache" && [ -f package.json ] || (cd "$cache" && npm init -y >/dev/null))
(cd "$cache" && npm install --no-audit --no-fund speedscope@1.25 playwright-core)

if [ "$inferno" = 1 ] && ! command -v inferno-collapse-perf >/dev/null \
    && [ ! -x /opt/inferno/bin/inferno-collapse-perf ]; then
    cargo install inferno --locked
fi
echo "peers ready: $(chromium --version 2>/dev/null | head -1); speedscope in $cache"
