// Grows a real .cpuprofile to benchmark size by repeating its sample sequence (see record-large.sh).
//
// Why: V8 samples at most every ~100 µs, so a real recording grows by ~1 MB per 20 s; the ingest
// benchmark wants tens of MB. Nodes, stacks and deltas stay the recording's own; only the run of
// samples is replayed `times` times back to back (a longer run of the same program).
'use strict';
const fs = require('fs');
const [input, output, timesArg] = process.argv.slice(2);
const times = Number(timesArg || '20');
const p = JSON.parse(fs.readFileSync(input, 'utf8'));
const samples = [];
const deltas = [];
for (let t = 0; t < times; t++) {
  for (let i = 0; i < p.samples.length; i++) {
    samples.push(p.samples[i]);
    // The first delta is the offset from startTime; later copies follow the previous sample.
    deltas.push(t > 0 && i === 0 ? p.timeDeltas[1] || 0 : p.timeDeltas[i]);
  }
}
const span = deltas.reduce((a, b) => a + b, 0);
p.samples = samples;
p.timeDeltas = deltas;
p.endTime = p.startTime + span;
fs.writeFileSync(output, JSON.stringify(p));
