// Nest 12 ships ES modules only; @swc/jest compiles our TypeScript and those packages to CommonJS.
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
const moduleNameMapper = {
  '^@pbx2fa/(config|contracts|messaging|persistence|platform)$': '<rootDir>/libs/$1/src',
};
const common = {
  transform,
  moduleNameMapper,
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@noble|@scure|@otplib|otplib|jose)/)'],
  testEnvironment: 'node',
};

/**
 * End-to-end files that must run with nothing beside them: they stop the machine's one RabbitMQ
 * (`rabbitmqctl stop_app`), which every other file's services use, or they time a recovery that
 * a neighbour's load on two cores would blur (a 3-node cluster, a database outage).
 * `npm test` runs them after the rest, one at a time.
 */
const ALONE = [
  'delivery-under-faults',
  'gateway-without-broker',
  'startup-order',
  'rabbitmq-cluster',
  'database-outage',
].map((name) => `<rootDir>/test/${name}.e2e-spec.ts`);

module.exports = {
  // One file at a time unless told otherwise: `npm test` runs the files that share the machine's
  // services two at a time (`--maxWorkers=2`), then the ALONE ones on their own.
  maxWorkers: 1,
  // Jest reads this only at the root; end-to-end files start real services in beforeAll.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/test/support/**/*.spec.ts',
        '<rootDir>/test/*.spec.ts',
      ],
    },
    // Services and repositories against a real PostgreSQL, without HTTP.
    { ...common, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...ALONE],
    },
    { ...common, displayName: 'e2e-alone', testMatch: ALONE },
  ],
};
