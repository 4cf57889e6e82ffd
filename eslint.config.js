import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'src/backends/wasm/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The core must bundle for browsers: Node built-ins only in files named *.node.ts and in the CLI.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.node.ts', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:.*|fs|path|os|zlib|http|https|url|crypto|child_process|worker_threads|stream|readline)(/.*)?$',
              message: 'Node built-ins belong in *.node.ts files (browser-safe core).',
            },
          ],
        },
      ],
    },
  },
);
