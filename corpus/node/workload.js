// A small real JavaScript workload for `node --cpu-prof` (see record.sh).
//
// Why these parts: a flame graph of a JS profile needs named functions at several depths, anonymous
// closures (V8 names them by file:line:column), recursion, built-ins (JSON, RegExp, sort) and
// garbage collection, so the importer meets every kind of node V8 writes.
'use strict';

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function primesBelow(limit) {
  const sieve = new Uint8Array(limit);
  const out = [];
  for (let i = 2; i < limit; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += i) sieve[j] = 1;
  }
  return out;
}

function jsonRoundTrip(rounds) {
  let size = 0;
  for (let r = 0; r < rounds; r++) {
    const doc = { id: r, tags: ['a', 'b', 'c'], nested: { values: Array.from({ length: 200 }, (_, i) => i * r) } };
    size += JSON.parse(JSON.stringify(doc)).nested.values.length;
  }
  return size;
}

function sortStrings(n) {
  const words = [];
  for (let i = 0; i < n; i++) words.push(Math.random().toString(36).slice(2));
  return words.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).length;
}

function regexScan(n) {
  const text = 'alpha=1 beta=22 gamma=333 delta=4444 '.repeat(n);
  let count = 0;
  for (const m of text.matchAll(/(\w+)=(\d+)/g)) count += m[2].length;
  return count;
}

function allocate(n) {
  // Short-lived objects: keeps the garbage collector busy.
  let keep = 0;
  for (let i = 0; i < n; i++) keep += new Array(64).fill(i).length;
  return keep;
}

function main(seconds) {
  const until = Date.now() + seconds * 1000;
  let checksum = 0;
  while (Date.now() < until) {
    checksum += fib(22);
    checksum += primesBelow(200000).length;
    checksum += jsonRoundTrip(300);
    checksum += sortStrings(20000);
    checksum += regexScan(2000);
    checksum += allocate(20000);
    checksum += [1, 2, 3].map((x) => fib(x + 15)).reduce((a, b) => a + b, 0);
  }
  return checksum;
}

const seconds = Number(process.argv[2] || '1');
console.log(main(seconds));
