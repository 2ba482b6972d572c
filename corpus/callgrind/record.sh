#!/bin/sh
# Records corpus/callgrind/callgrind.out.workload: workload.c under valgrind's callgrind with the
# cache simulator (events Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw), and writes expected.json with
# callgrind_annotate's program totals and per-function self costs (the tests compare with them).
# Run from anywhere: sh corpus/callgrind/record.sh
set -eu
dir=$(dirname "$0")
cd "$dir"
gcc -O1 -g -fno-omit-frame-pointer -fdebug-prefix-map="$(pwd)"=. -o /tmp/bigflame-callgrind-workload workload.c
valgrind --tool=callgrind --cache-sim=yes \
    --callgrind-out-file=callgrind.out.workload /tmp/bigflame-callgrind-workload
python3 expected.py callgrind.out.workload > expected.json
ls -l callgrind.out.workload expected.json
