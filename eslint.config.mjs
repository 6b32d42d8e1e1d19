// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'reports/', '.stryker-tmp/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // An override or callback may have to name a parameter it does not use: `_name` says so.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The CommonJS scripts and the configuration files: plain JavaScript, not type-checked.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ignores: ['apps/*/public/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The pages' browser ES modules: type-checked through their JSDoc (apps/auth/public/tsconfig.json).
    files: ['apps/*/public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    // Page modules without their JSDoc types yet (no `// @ts-check`): linted, not type-checked.
    files: [
      'apps/auth/public/dashboard.js',
      'apps/auth/public/desk*.js',
      'apps/auth/public/enrollment.js',
      'apps/auth/public/my-requests.js',
      'apps/auth/public/passkey*.js',
      'apps/auth/public/session.js',
      'apps/auth/public/ticket-format.js',
      'apps/auth/public/users-view.js',
    ],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**/*.js', 'bench/**/*.js', 'libs/*/index.js', 'jest.config.js', 'jest.mutation.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read JSON answers as `any` on purpose: they assert the shape a client sees.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  prettier,
);
