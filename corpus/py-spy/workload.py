"""A small CPU-bound Python workload for py-spy: JSON round trips, hashing, sorting, recursion."""
import hashlib
import json


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def encode(i):
    return json.dumps({"i": i, "h": hashlib.sha256(str(i).encode()).hexdigest()})


def churn(n):
    out = [encode(i) for i in range(n)]
    out.sort()
    return sum(len(json.loads(s)["h"]) for s in out)


def main():
    total = 0
    for _ in range(6):
        total += churn(20000)
        total += fib(22)
    print(total)


if __name__ == "__main__":
    main()
