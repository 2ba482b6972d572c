"""A small, deterministic Python workload for `python3 -m cProfile` (see record.sh).

It has the shapes a call-graph importer must handle: a helper shared by two callers (`tokenize`
from `report` and `analyse`), direct recursion (`fib`), mutual recursion (`is_even`/`is_odd`),
built-ins and C methods (`sorted`, `str.lower`, hashlib, json).
"""

import hashlib
import json
import re

WORD = re.compile(r"\w+")
TEXT = " ".join(f"word{i % 97} Value{i % 13} item{i}" for i in range(400))


def tokenize(text):
    return [w.lower() for w in WORD.findall(text)]


def checksum(words):
    h = hashlib.sha256()
    for w in words:
        h.update(w.encode())
    return h.hexdigest()


def report():
    words = tokenize(TEXT)
    return checksum(words)


def analyse():
    words = tokenize(TEXT)
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]


def roundtrip(n):
    records = [{"id": i, "name": f"n{i}", "tags": [i % 3, i % 5]} for i in range(n)]
    return len(json.loads(json.dumps(records)))


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def main():
    out = []
    for _ in range(20):
        out.append(report())
        out.append(analyse())
        out.append(roundtrip(200))
    out.append(fib(17))
    out.append(is_even(300))
    return out


if __name__ == "__main__":
    main()
