#!/usr/bin/env node
'use strict';
/*
 * `npm start`: runs the three built services on this machine, against DATABASE_URL and
 * RABBITMQ_URL from the environment (defaults: local PostgreSQL and RabbitMQ).
 *
 * - Ports: auth 3000, tickets 3001, reseller-settings 3002; override with AUTH_PORT,
 *   TICKETS_PORT, RESELLER_SETTINGS_PORT (each child gets its own PORT). Management ports 9000,
 *   9001, 9002; override with AUTH_MANAGEMENT_PORT and so on (each child's MANAGEMENT_PORT).
 * - Every output line is prefixed with the service's name.
 * - SIGINT/SIGTERM/SIGHUP are passed on to the services, which shut down cleanly; a second
 *   signal (a second or more after the first), or services still running after STOP_TIMEOUT_MS
 *   (default 15000), are killed.
 * - If a service exits on its own, the others are stopped and this exits non-zero.
 *
 * Plain Node, no dependencies.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..');
const SERVICES = [
  // Started in this order: the two services the gateway calls first.
  {
    name: 'reseller-settings',
    defaultPort: 3002,
    portVariable: 'RESELLER_SETTINGS_PORT',
    managementPortVariable: 'RESELLER_SETTINGS_MANAGEMENT_PORT',
  },
  {
    name: 'tickets',
    defaultPort: 3001,
    portVariable: 'TICKETS_PORT',
    managementPortVariable: 'TICKETS_MANAGEMENT_PORT',
  },
  { name: 'auth', defaultPort: 3000, portVariable: 'AUTH_PORT', managementPortVariable: 'AUTH_MANAGEMENT_PORT' },
];
const stopTimeoutMs = Number(process.env.STOP_TIMEOUT_MS) > 0 ? Number(process.env.STOP_TIMEOUT_MS) : 15000;
const width = Math.max(...SERVICES.map((service) => service.name.length));

function log(message) {
  process.stderr.write(`${'start-all'.padEnd(width)} | ${message}\n`);
}

for (const service of SERVICES) {
  service.entry = path.join(root, 'dist', 'apps', service.name, 'src', 'main.js');
  service.port = process.env[service.portVariable] || String(service.defaultPort);
  if (!/^\d+$/.test(service.port) || Number(service.port) > 65535) {
    process.stderr.write(
      `Invalid configuration: ${service.portVariable} must be a port number, got "${service.port}"\n`,
    );
    process.exit(1);
  }
}
const missing = SERVICES.filter((service) => !fs.existsSync(service.entry));
if (missing.length > 0) {
  const first = path.relative(root, missing[0].entry);
  process.stderr.write(
    `The services are not built (${first} is missing): run \`npm run build\` first, then \`npm start\`.\n`,
  );
  process.exit(1);
}

let stopping = false; // a signal arrived or a service died: everything is going down
let exitCode = 0;
let forceTimer = null;
const running = new Set();

function prefixLines(stream, output, name) {
  const prefix = `${name.padEnd(width)} | `;
  readline
    .createInterface({ input: stream, crlfDelay: Infinity })
    .on('line', (line) => output.write(prefix + line + '\n'));
}

function signalChild(child, signal) {
  try {
    // Each service leads its own process group (detached), so the group gets the signal.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function stopAll(signal) {
  for (const child of running) signalChild(child, signal);
  if (!forceTimer && running.size > 0) {
    forceTimer = setTimeout(() => {
      log(`services still running after ${stopTimeoutMs} ms: killing them`);
      for (const child of running) signalChild(child, 'SIGKILL');
      exitCode = exitCode || 1;
    }, stopTimeoutMs);
    forceTimer.unref();
  }
}

function finishIfDone() {
  if (running.size > 0) return;
  if (forceTimer) clearTimeout(forceTimer);
  process.exit(exitCode);
}

for (const service of SERVICES) {
  const child = spawn(process.execPath, [service.entry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: service.port,
      MANAGEMENT_PORT: process.env[service.managementPortVariable] || String(service.defaultPort + 6000),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a Ctrl-C in the terminal reaches the services once, through us, instead
    // of twice (a second SIGINT would cut their graceful shutdown short).
    detached: true,
  });
  running.add(child);
  prefixLines(child.stdout, process.stdout, service.name);
  prefixLines(child.stderr, process.stderr, service.name);
  log(`started ${service.name} (pid ${child.pid}) on port ${service.port}`);

  child.on('error', (error) => {
    log(`${service.name} could not be started: ${error.message}`);
  });
  // 'close' comes after the child's output has been read to the end.
  child.on('close', (code, signal) => {
    running.delete(child);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!stopping) {
      stopping = true;
      exitCode = code || 1;
      log(`${service.name} exited unexpectedly (${how}); stopping the other services`);
      stopAll('SIGTERM');
    } else {
      log(`${service.name} stopped (${how})`);
      if (code !== 0 && code !== null) exitCode = exitCode || code;
    }
    finishIfDone();
  });
}

// The same stop can arrive twice at once: from the terminal (Ctrl-C reaches the whole foreground
// group) and from npm, which passes signals on to the script it runs. Only a signal a moment
// after the first means "stop now".
const REPEAT_AFTER_MS = 1000;
let firstSignalAt = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (firstSignalAt !== null && Date.now() - firstSignalAt < REPEAT_AFTER_MS) return;
    if (firstSignalAt !== null) {
      log(`${signal} again: killing the services`);
      for (const child of running) signalChild(child, 'SIGKILL');
      exitCode = exitCode || 1;
      return;
    }
    firstSignalAt = Date.now();
    stopping = true;
    const forwarded = signal === 'SIGHUP' ? 'SIGTERM' : signal;
    log(`${signal} received: stopping the services`);
    stopAll(forwarded);
  });
}

// Last resort if this process is ended without a signal it can handle (e.g. an uncaught error).
process.on('exit', () => {
  for (const child of running) signalChild(child, 'SIGKILL');
});
