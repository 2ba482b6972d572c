#!/bin/sh
# Records the two small JFR files of this folder and their independent expectations:
#   jdk17.jfr (OpenJDK 17) and jdk25.jfr (Temurin 25), each with FILE.expected.json made by
#   expected.py from the JDK's own `jfr print --json` (not by bigflame).
# Run from the repository root: sh corpus/jfr/record.sh [JDK17_HOME] [JDK25_HOME]
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
jdk17=${1:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${2:-/usr/lib/jvm/temurin-25-jdk-amd64}
events=jdk.ExecutionSample,jdk.NativeMethodSample,jdk.ObjectAllocationSample,jdk.ObjectAllocationInNewTLAB,jdk.ObjectAllocationOutsideTLAB,jdk.JavaMonitorEnter,jdk.JavaMonitorWait,jdk.ThreadPark
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pair in "17:$jdk17" "25:$jdk25"; do
    v=${pair%%:*}
    home=${pair#*:}
    out="$dir/jdk$v.jfr"
    "$home/bin/javac" -d "$tmp/$v" "$dir/Workload.java"
    # small.jfc enables only the stack-carrying events bigflame imports (keeps the file small).
    "$home/bin/java" -XX:StartFlightRecording=filename="$out",settings="$dir/small.jfc" \
        -cp "$tmp/$v" Workload 3000 >/dev/null 2>&1
    "$home/bin/jfr" print --json --stack-depth 2048 --events "$events" "$out" | python3 "$dir/expected.py" "$out" \
        > "$out.expected.json"
    ls -l "$out" "$out.expected.json"
done
