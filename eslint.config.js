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
    // Scripts, benchmarks and CLIs talk to a terminal.
    files: ['scripts/**', '**/bench/**', '**/src/cli/**', '**/src/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node builtins, no clients.
    files: ['workflows/src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflows must be deterministic: no Node builtins.' },
            {
              group: ['pg', 'kysely', '@nats-io/*', '@banditore/platform', '@banditore/providers', 'fastify', 'pino'],
              message: 'Workflows reach the outside world only through activities.',
            },
            {
              group: ['fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'os'],
              message: 'Workflows must be deterministic: no Node builtins.',
            },
          ],
        },
      ],
    },
  },
)
