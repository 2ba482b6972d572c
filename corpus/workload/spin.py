"""A small multi-threaded Python workload for perf recordings.

Why: the corpus must come from a real program with real call stacks (interpreter frames, libc,
kernel), not from a generator. Threads do different kinds of work so the profile has several
threads with distinct shapes: parsing JSON, hashing, sorting and regex matching.
"""
import hashlib
import json
import random
import re
import sys
import threading
import time


def json_work(deadline):
    doc = {"items": [{"id": i, "name": f"item-{i}", "tags": ["a", "b", "c"]} for i in range(2000)]}
    while time.time() < deadline:
        text = json.dumps(doc)
        json.loads(text)


def hash_work(deadline):
    data = bytes(range(256)) * 4096
    while time.time() < deadline:
        hashlib.sha256(data).hexdigest()
        hashlib.md5(data).hexdigest()


def sort_work(deadline):
    rng = random.Random(1)
    while time.time() < deadline:
        xs = [rng.random() for _ in range(50000)]
        xs.sort()


def regex_work(deadline):
    pattern = re.compile(r"(\w+)@(\w+)\.com")
    text = " ".join(f"user{i}@host{i % 97}.com filler words here" for i in range(5000))
    while time.time() < deadline:
        pattern.findall(text)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    deadline = time.time() + seconds
    threads = [
        threading.Thread(target=f, args=(deadline,), name=f.__name__)
        for f in (json_work, hash_work, sort_work, regex_work)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
