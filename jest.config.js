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
  '^@pbx2fa/(config|contracts|http|messaging|persistence)$': '<rootDir>/libs/$1/src',
};
const common = {
  transform,
  moduleNameMapper,
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@noble|@scure|@otplib|otplib|jose)/)'],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testTimeout: 120000,
      maxWorkers: 1,
    },
  ],
};
