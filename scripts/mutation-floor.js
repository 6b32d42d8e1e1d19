#!/usr/bin/env node
// The floor of `npm run test:mutation`, per file: StrykerJS's own `thresholds.break` judges the
// score of all files together, so one well-tested file could carry a poor one. Reads Stryker's
// JSON report and fails when any file catches fewer than FLOOR % of its mutants. Unreached mutants
// (NoCoverage) count as survivors; a timeout counts as caught, as Stryker counts it; mutants that do
// not compile or are ignored do not count. `node scripts/mutation-floor.js [report.json]`.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const FLOOR = 80;
const REPORT = path.join(__dirname, '..', 'reports', 'mutation', 'mutation.json');

const CAUGHT = new Set(['Killed', 'Timeout']);
const MISSED = new Set(['Survived', 'NoCoverage']);

/** Per file: caught, missed, score (%), and the missed mutants. */
function scores(report) {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const caught = mutants.filter((mutant) => CAUGHT.has(mutant.status)).length;
      const missed = mutants.filter((mutant) => MISSED.has(mutant.status));
      const counted = caught + missed.length;
      return { file, caught, missed, score: counted === 0 ? 100 : (100 * caught) / counted };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

function describe(mutant) {
  const { line, column } = mutant.location.start;
  const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80);
  return `${line}:${column} ${mutant.mutatorName} ${mutant.status}${replacement ? ` → ${replacement}` : ''}`;
}

function checkFloor(reportPath = REPORT) {
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
  const rows = scores(report);
  const width = Math.max(...rows.map((row) => row.file.length));
  console.log(`\nMutation score per file (floor ${FLOOR} %, unreached mutants count as survivors):`);
  for (const row of rows) {
    const mark = row.score >= FLOOR ? 'ok  ' : 'LOW ';
    const counts = `${row.caught}/${row.caught + row.missed.length}`;
    console.log(`  ${mark}${row.file.padEnd(width)}  ${row.score.toFixed(1).padStart(5)} %  ${counts}`);
  }
  const low = rows.filter((row) => row.score < FLOOR);
  for (const row of low) {
    console.log(`\n${row.file}: ${row.score.toFixed(1)} %, below ${FLOOR} %. Not caught:`);
    for (const mutant of row.missed) console.log(`  ${describe(mutant)}`);
  }
  if (low.length > 0) {
    console.error(`\n${low.length} file(s) below the mutation floor of ${FLOOR} %.`);
    return false;
  }
  console.log(`\nEvery file is at or above ${FLOOR} %.`);
  return true;
}

module.exports = { checkFloor, scores, FLOOR };

if (require.main === module) process.exit(checkFloor(process.argv[2]) ? 0 : 1);
