#!/usr/bin/env node
'use strict';
/*
 * node bench/profile-summary.js <file.cpuprofile> [top=25]
 * Prints where a V8 CPU profile spent its time: self time by function, and self time by package
 * (node_modules/<name>, node: internals, our own code), as shares of the samples.
 */
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg) || 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) || 0) + 1);
const total = profile.samples.length;
const ms = (profile.endTime - profile.startTime) / 1000;

const packageOf = (url) => {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  const ours = /\/(apps|libs)\/([^/]+)/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
};

const fn = new Map();
const pkg = new Map();
for (const [id, count] of counts) {
  const { callFrame } = byId.get(id);
  const name = callFrame.functionName || '(anonymous)';
  const key = `${name}  ${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|libs)\//, '$1/')}:${callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) || 0) + count);
  const p =
    name === '(idle)' ? '(idle)' : name === '(garbage collector)' ? '(garbage collector)' : packageOf(callFrame.url);
  pkg.set(p, (pkg.get(p) || 0) + count);
}
const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
};
console.log(`${file}: ${total} samples over ${ms.toFixed(0)} ms`);
show('self time by package', pkg);
show('self time by function', fn);
