"""Peak memory of a process tree, sampled from /proc every ~10 ms.

Why sample instead of asking the tool: peers do not report their memory (speedscope runs in a
multi-process browser), and the kernel's own high-water mark (VmHWM) covers one process only and
not anonymous memory separately. So every tool is measured the same way from outside: every tick
we walk the tree below the root pid (via /proc/PID/task/TID/children), sum VmRSS and RssAnon over
the processes counted, and keep the largest sums. RssAnon is what the tool itself allocated; VmRSS
adds mapped files (e.g. an mmap'd input, shared libraries), which the page cache could drop.

Summing RSS over several processes counts shared pages more than once; for Chromium that is the
usual way its memory is reported (and what `ps` users would add up), and the report says so.
"""

import os
import threading
import time

TICK_S = 0.01


def _children(pid):
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _status_kb(pid):
    """(VmRSS, RssAnon) in kB, or None when the process is gone."""
    rss = anon = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return rss, anon


def tree(root):
    """The root pid and all its descendants alive now (iterative, no recursion)."""
    seen, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        todo.extend(_children(pid))
    return seen


class PeakMemory:
    """Samples the tree below `root` in a thread until `stop()`; peaks in MB.

    `include_root=False` leaves the root out (for speedscope the root is the node driver, not the
    browser).
    """

    def __init__(self, root, include_root=True):
        self.root = root
        self.include_root = include_root
        self.peak_rss_kb = 0
        self.peak_anon_kb = 0
        self.max_procs = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            time.sleep(TICK_S)

    def sample(self):
        pids = tree(self.root)
        if not self.include_root:
            pids = [p for p in pids if p != self.root]
        rss = anon = n = 0
        for pid in pids:
            st = _status_kb(pid)
            if st is None:
                continue
            rss += st[0]
            anon += st[1]
            n += 1
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.peak_anon_kb = max(self.peak_anon_kb, anon)
        self.max_procs = max(self.max_procs, n)
        self.samples += 1

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.result()

    def result(self):
        return {
            "peak_rss_mb": round(self.peak_rss_kb / 1024.0, 1),
            "peak_anon_mb": round(self.peak_anon_kb / 1024.0, 1),
            "max_processes": self.max_procs,
            "memory_samples": self.samples,
        }


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
