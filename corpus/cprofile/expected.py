"""Prints the totals Python's own `pstats` module computes for a cProfile output, as JSON.

Used by record.sh; the bigflame tests compare their import against these numbers.
For each function: its self time (`tt`), whether it takes part in mutual recursion or is called
(transitively) from such a function (there the expansion cannot keep self times exactly), and
whether it calls itself directly.
"""

import json
import pstats
import sys


def main(path):
    st = pstats.Stats(path)
    stats = st.stats
    callees = {f: set() for f in stats}
    for f, (_, _, _, _, callers) in stats.items():
        for c in callers:
            callees.setdefault(c, set()).add(f)
    # Strongly connected components (Tarjan, iterative).
    index, low, on, stack, comp = {}, {}, set(), [], {}
    counter = 0
    for start in callees:
        if start in index:
            continue
        work = [(start, iter(sorted(callees[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(callees.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    members.append(w)
                    if w == v:
                        break
                for m in members:
                    comp[m] = len(members)
    mutual = {f for f in stats if comp.get(f, 1) > 1}
    below = set(mutual)
    todo = list(mutual)
    while todo:
        f = todo.pop()
        for c in callees.get(f, ()):
            if c not in below:
                below.add(c)
                todo.append(c)
    functions = []
    for f, (cc, nc, tt, ct, callers) in sorted(stats.items()):
        functions.append(
            {
                "file": f[0],
                "line": f[1],
                "name": f[2],
                "tt": tt,
                "ct": ct,
                "calls": nc,
                "self_recursive": f in callees.get(f, ()),
                "mutual_recursion_or_below": f in below,
            }
        )
    print(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "total_tt": st.total_tt,
                "functions": functions,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
