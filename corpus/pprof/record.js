// Records a real CPU (wall) profile and a real heap profile of a small workload with
// @datadog/pprof and writes them as gzipped pprof files.
const pprof = require('@datadog/pprof');
const fs = require('fs');

function leaf(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); return s; }
function alpha() { return leaf(2e5); }
function beta() { return leaf(6e5); }
const keep = [];
function allocSmall() { for (let i = 0; i < 2000; i++) keep.push(new Array(64).fill(i)); }
function allocBig() { for (let i = 0; i < 200; i++) keep.push(new Float64Array(4096)); }

async function main() {
  const out = process.argv[2] || '.';
  pprof.heap.start(64 * 1024, 64);
  pprof.time.start({ intervalMicros: 1000, durationMillis: 60000 });
  const end = Date.now() + 600;
  while (Date.now() < end) { alpha(); beta(); allocSmall(); allocBig(); if (keep.length > 20000) keep.length = 0; }
  const time = pprof.time.stop();
  const heap = pprof.heap.profile();
  fs.writeFileSync(`${out}/node-wall.pb.gz`, await pprof.encode(time));
  fs.writeFileSync(`${out}/node-heap.pb.gz`, await pprof.encode(heap));
}
main();
