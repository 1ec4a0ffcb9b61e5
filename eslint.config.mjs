// Lint: typescript-eslint's recommended rules plus the layering of architecture.md:
// core imports nothing from Electron, React, the UI or the CLI; the renderer imports no Node module
// and nothing from core; api is shared types only.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'worker_threads'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'native/**', 'release/**', 'out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'react', 'react-dom', 'react/*', 'react-dom/*'], message: 'core must not depend on Electron or React' },
          { group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**'], message: 'core must not import from the shells' },
        ],
      }],
    },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'react', ...nodeBuiltins], message: 'api holds shared types only' },
          { group: ['**/core/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**'], message: 'api holds shared types only' },
        ],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...nodeBuiltins, 'electron', 'graphene-pk11', 'pkcs11js'], message: 'the renderer has no Node access' },
          { group: ['**/core/**', '**/main/**', '**/preload/**', '**/cli/**'], message: 'the renderer talks to main only through src/api' },
        ],
      }],
    },
  },
  {
    files: ['src/platform/console/**/*.ts', 'src/platform/console/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...nodeBuiltins, 'electron', 'graphene-pk11', 'pkcs11js', 'fastify', 'kysely', 'better-sqlite3', 'pg', 'pino'], message: 'the web console runs in the browser: no Node or server modules' },
          { group: ['**/node-hasher', '**/platform/db/**', '**/platform/registry/**', '**/platform/status/**', '**/platform/auth/**', '**/main/**', '**/renderer/**', '**/cli/**'], message: 'the console talks to the server only through its JSON API (src/platform/api/contract.ts)' },
        ],
      }],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/**', '**/renderer/**', '**/cli/**', ...nodeBuiltins], message: 'preload exposes the typed API only' }],
      }],
    },
  },
);
