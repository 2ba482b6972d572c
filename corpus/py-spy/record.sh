#!/usr/bin/env bash
# Records workload.py with py-spy (`pip install py-spy`) as speedscope JSON, then writes the totals
# the import must reproduce, computed here with Python's json module (independent of bigflame):
# per profile the sample count, the sum of weights and the distinct frame names, plus the deepest
# stack.
set -euo pipefail
cd "$(dirname "$0")"
py-spy record -r 250 -f speedscope -o workload.speedscope.json -- python3 workload.py
python3 - <<'PY'
import json
doc = json.load(open("workload.speedscope.json"))
frames = doc["shared"]["frames"]
out = {"unit": None, "profiles": []}
for p in doc["profiles"]:
    out["unit"] = p["unit"]
    names = {frames[i]["name"] for s in p["samples"] for i in s}
    out["profiles"].append({
        "name": p["name"],
        "samples": len(p["samples"]),
        "total_weight": sum(p["weights"]),
        "distinct_names": len(names),
        "max_depth": max(len(s) for s in p["samples"]),
    })
json.dump(out, open("expected.json", "w"), indent=1)
print(out)
PY
