// @ts-check
/**
 * Mutation testing of the security and delivery core (`npm run test:mutation`, README "Mutation
 * testing"). Each mutant is run against the unit and medium tests that reach it; a file passes
 * with at least 80 % of its mutants caught, unreached ones counting as survivors.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  mutate: [
    'apps/auth/src/second-factor/second-factor.verifier.ts',
    'apps/auth/src/second-factor/totp.ts',
    'apps/auth/src/second-factor/secret-box.ts',
    'apps/auth/src/second-factor/recovery-codes.ts',
    'apps/auth/src/throttle/attempt-throttle.ts',
    'libs/messaging/src/event-inbox.ts',
    'libs/messaging/src/outbox-relay.ts',
    'libs/messaging/src/ordering.ts',
    'apps/tickets/src/tickets/ticket-transitions.ts',
    'apps/tickets/src/tickets/ticket-access.policy.ts',
    'apps/tickets/src/tickets/ticket-decisions.service.ts',
  ],
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10000,
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  // A full run takes longer than CI should spend on it: the results of the last run are kept in
  // the repository, and a run tests again only the mutants whose file or tests changed since
  // (`-- --force` tests them all). Commit this file after a run.
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
};
