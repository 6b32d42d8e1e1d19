'use strict';
/*
 * Lets `node -r ./bench/register.js bench/run.ts` run the benchmark's TypeScript (and the test
 * harness it reuses) without a build step: @swc/core, already a dev dependency for Jest,
 * compiles each .ts file to CommonJS as it is required. Types are not checked here
 * (`npm run typecheck` covers bench/).
 */
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
