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

module.exports = {
  // End-to-end files each start three services; one at a time keeps a 2-core machine honest.
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
    },
  ],
};
