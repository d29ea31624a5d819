import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'coverage/**', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // The staff console's browser app: browser globals; a render failure is reported to the
    // browser's console for whoever debugs it (the person sees an Italian error page).
    files: ['services/console/web/**'],
    languageOptions: { globals: globals.browser },
    rules: { 'no-console': ['error', { allow: ['error'] }] },
  },
  {
    // Scripts, benchmarks and CLIs talk to a terminal.
    files: ['scripts/**', '**/bench/**', '**/*.bench.ts', '**/src/cli/**', '**/src/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node builtins, no clients,
    // and activities by their types only (proxyActivities<...>): a value import would pull their
    // I/O into the bundle. Tests beside the workflows (replay, names) run outside the sandbox.
    files: ['workflows/src/workflows/**/*.ts'],
    ignores: ['workflows/src/workflows/**/*.test.ts'],
    // Type-aware, for no-floating-promises: an un-awaited activity or timer in a workflow is a
    // command Temporal records but the code never waits for.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflows must be deterministic: no Node builtins.' },
            {
              group: [
                'fs', 'fs/*', 'path', 'path/*', 'crypto', 'http', 'https', 'net', 'dns', 'child_process', 'os', 'process',
                'worker_threads', 'timers', 'timers/*', 'events', 'util', 'util/*', 'stream', 'stream/*', 'async_hooks',
              ],
              message: 'Workflows must be deterministic: no Node builtins.',
            },
            {
              group: [
                'pg', 'kysely', '@nats-io/*', '@banditore/platform', '@banditore/providers', 'fastify', 'pino',
                '@temporalio/activity', '@temporalio/client', '@temporalio/worker',
              ],
              message: 'Workflows reach the outside world only through activities.',
            },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows take activities by type only: import type { ... } and proxyActivities.',
            },
          ],
        },
      ],
    },
  },
)
