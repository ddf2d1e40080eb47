// @ts-check
/**
 * Lint for the whole monorepo. Zero warnings allowed (`--max-warnings 0`).
 * Layering rules: packages/core is isomorphic (no Node built-ins), and no
 * package reaches into another package's `src/` — import through `exports`.
 */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const noDeepImports = {
  group: ['@ferry/*/src/*', '@ferry/*/dist/*', '../../apps/*', '../../packages/*', '../../../apps/*', '../../../packages/*'],
  message: 'Import another package only through its package exports (@ferry/<name>).',
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.vite/**', 'data/**', 'test-results/**', 'playwright-report/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [noDeepImports] }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-nocheck': true, 'ts-expect-error': 'allow-with-description' }],
    },
  },
  {
    files: ['packages/core/**/*.ts', 'packages/ui/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'This package is isomorphic: no Node built-ins (STYLE.md 1).' })),
          patterns: [noDeepImports],
        },
      ],
    },
  },
  {
    files: ['**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
