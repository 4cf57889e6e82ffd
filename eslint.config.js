import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', '**/build/', 'node_modules/', 'packages/tensile/src/backends/wasm/generated/'] },
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
    // The admin pages are plain browser modules, served as written (no build step).
    files: ['packages/tensile-cli/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'navigator', 'fetch', 'FormData', 'File', 'URL', 'confirm', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // The core must bundle for browsers: Node built-ins only in files named *.node.ts.
    files: ['packages/tensile/src/**/*.ts'],
    ignores: ['packages/tensile/src/**/*.node.ts', 'packages/tensile/src/node.ts'],
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
  {
    // The applications are written as users write theirs: the library only through its public entry points.
    files: ['packages/tensile-cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(packages/)?tensile/|^tensile/(?!(node|int8)$)',
              message: "Applications import the library only through 'tensile', 'tensile/node' and 'tensile/int8'.",
            },
          ],
        },
      ],
    },
  },
);
