'use strict';
/*
 * Preloaded into a service by `BENCH_PROFILE=auth npm run bench` (NODE_OPTIONS=--require …;
 * Node refuses --cpu-prof in NODE_OPTIONS). The first SIGUSR2 starts V8's sampling profiler in
 * the service itself, the next one stops it and writes a .cpuprofile (Chrome DevTools, speedscope)
 * to BENCH_PROFILE_DIR, so a profile covers exactly one measured phase.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new inspector.Session();
session.connect();
const dir = process.env.BENCH_PROFILE_DIR || process.cwd();
const label = process.env.BENCH_PROFILE_LABEL || `pid-${process.pid}`;
let running = false;
let count = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 250 }, () => session.post('Profiler.start')),
    );
    return;
  }
  session.post('Profiler.stop', (error, result) => {
    running = false;
    if (error) return process.stderr.write(`[cpu-profile] ${error.message}\n`);
    count += 1;
    writeFileSync(join(dir, `${label}-${count}.cpuprofile`), JSON.stringify(result.profile));
  });
});
