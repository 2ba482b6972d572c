/* A small, deterministic C workload for `valgrind --tool=callgrind` (see record.sh).
 *
 * Shapes a call-graph importer must handle: a helper shared by two callers (`mix` from
 * `checksum` and `transform`), direct recursion (`fib`), mutual recursion (`is_even`/`is_odd`),
 * and library calls (`qsort` calling back into `cmp_int`, `memcpy`, `strlen`).
 * Functions are `noinline` so every one keeps its own cost in the profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4000
#define NOINLINE __attribute__((noinline))

static int data[N];
static char text[N + 1];

NOINLINE static unsigned mix(unsigned h, unsigned v) {
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

NOINLINE static unsigned checksum(const int *xs, int n) {
    unsigned h = 0;
    for (int i = 0; i < n; i++) h = mix(h, (unsigned)xs[i]);
    return h;
}

NOINLINE static void transform(int *xs, int n) {
    unsigned h = 1;
    for (int i = 0; i < n; i++) {
        h = mix(h, (unsigned)i);
        xs[i] = (int)(h % 100000u);
    }
}

NOINLINE static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

NOINLINE static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

NOINLINE static int is_odd(int n);
NOINLINE static int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
NOINLINE static int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }

NOINLINE static size_t text_work(void) {
    for (int i = 0; i < N; i++) text[i] = (char)('a' + data[i] % 26);
    text[N] = 0;
    char copy[N + 1];
    memcpy(copy, text, sizeof copy);
    return strlen(copy);
}

int main(void) {
    unsigned total = 0;
    for (int round = 0; round < 3; round++) {
        transform(data, N);
        qsort(data, N, sizeof data[0], cmp_int);
        total += checksum(data, N);
        total += (unsigned)text_work();
    }
    total += (unsigned)fib(18);
    total += (unsigned)is_even(500);
    printf("%u\n", total);
    return 0;
}
