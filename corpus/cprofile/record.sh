#!/bin/sh
# Records corpus/cprofile/workload.prof with the system python3 and writes expected.json, the
# totals Python's pstats module computes for it (the tests compare bigflame's import with them).
# Run from the repository root: sh corpus/cprofile/record.sh
set -eu
dir=$(dirname "$0")
cd "$dir"
python3 -m cProfile -o workload.prof workload.py
python3 expected.py workload.prof > expected.json
ls -l workload.prof expected.json
