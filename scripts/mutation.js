#!/usr/bin/env node
// npm run test:mutation [-- <stryker options>]: StrykerJS over the files in stryker.config.mjs with
// the unit and medium tests, then a floor per file (scripts/mutation-floor.js). Any option is passed
// on to `stryker run`, e.g. `-- --mutate libs/messaging/src/ordering.ts` for one file.
//
// Medium tests keep one database per Stryker worker and test file for the whole run
// (test/medium/support/databases.ts); their names carry this run's id, and they are dropped here
// at the end, whatever happened.
'use strict';

const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const { Client } = require('pg');
const { checkFloor } = require('./mutation-floor');

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(4).toString('hex');

async function dropRunDatabases() {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `pbx2fa_test_m${run}_%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function stryker(args) {
  const bin = path.join(__dirname, '..', 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', ...args], {
      stdio: 'inherit',
      env: { ...process.env, PBX2FA_MUTATION_RUN: run },
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const args = process.argv.slice(2);
  let code;
  try {
    code = await stryker(args);
  } finally {
    await dropRunDatabases().catch((error) => console.error(`could not drop this run's databases: ${error.message}`));
  }
  if (code !== 0) {
    console.error(`stryker exited with ${code}`);
    return code;
  }
  return checkFloor() ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
