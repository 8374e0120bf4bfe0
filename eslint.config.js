// Flat ESLint config: typescript-eslint recommended everywhere; runtime/ may import nothing
// from the other parts of the product, nor heavy or Node-only modules in its core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'out/**', 'test/.fixtures/**', 'test/.artifacts/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['runtime/src/**/*.ts'],
    ignores: ['runtime/src/node/**', 'runtime/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'runtime core must run in browsers and worklets: Node APIs belong in runtime/src/node/.' },
            { group: ['@tensorflow/*', 'electron', 'naudiodon', 'onnxruntime-*'], message: 'runtime has no heavy dependencies.' },
            { group: ['**/training/**', '**/electron/**', '**/renderer/**', '**/cli/**', '@nwave/training', '@nwave/cli'], message: 'runtime imports nothing from the other parts.' },
          ],
        },
      ],
    },
  },
);
