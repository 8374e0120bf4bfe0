// Flat ESLint config: typescript-eslint recommended everywhere; runtime/ may import nothing
// from the other parts of the product, nor heavy or Node-only modules in its core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'electron/lib/**',
      'cli/bundle/**',
      'out/**',
      'test/.fixtures/**',
      'test/.artifacts/**',
      '.cache/**',
      '.scratch/**',
      // AssemblyScript (its own dialect of TypeScript), compiled by training/src/kernels/wasm/compile-net-kernel.ts.
      'training/assembly/**',
    ],
  },
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
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process'],
              message: 'runtime core must run in browsers and worklets: Node APIs belong in runtime/src/node/.',
            },
            { group: ['@tensorflow/*', 'electron', 'naudiodon', 'onnxruntime-*'], message: 'runtime has no heavy dependencies.' },
            {
              group: [
                '**/training/**',
                '**/electron/**',
                '**/renderer/**',
                '**/cli/**',
                '@nwave/data',
                '@nwave/data/*',
                '@nwave/training',
                '@nwave/cli',
              ],
              message: 'runtime imports nothing from the other parts.',
            },
          ],
        },
      ],
    },
  },
  {
    // data/ is the tfjs-free half of training: the CLI and the app load it without TensorFlow.js.
    files: ['data/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: '@nwave/data needs no TensorFlow.js: tfjs code belongs in training/.' },
            {
              group: ['**/training/**', '@nwave/training', '@nwave/training/*', '@nwave/cli', '@nwave/electron', '@nwave/electron/*'],
              message: '@nwave/data imports only @nwave/runtime of the other parts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Desktop app: only electron/src/main/ipc.ts touches ipcMain, only the preload touches ipcRenderer.
    files: ['electron/src/**/*.ts'],
    ignores: ['electron/src/main/ipc.ts', 'electron/src/preload/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'IPC goes through electron/src/main/ipc.ts (main) and electron/src/preload/preload.ts only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer is a sandboxed web page: no Node, no Electron, main only through the IPC contract.
    files: ['renderer/src/**/*.ts'],
    ignores: ['renderer/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'the renderer is a sandboxed web page: main is reached through window.nwave.' }],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process'],
              message: 'the renderer is a sandboxed web page: files and dialogs go through window.nwave.',
            },
            {
              group: [
                '**/electron/src/main/**',
                '**/electron/src/handlers/**',
                '**/electron/src/training/**',
                '**/electron/src/preload/**',
                '@nwave/electron/handlers',
                '@nwave/electron/main/*',
                '@nwave/electron/training/*',
                '@nwave/training',
                '@nwave/training/*',
                '@nwave/data',
                '@nwave/data/*',
              ],
              message: 'the renderer reaches main only through the IPC contract (@nwave/electron/shared/*).',
            },
          ],
        },
      ],
    },
  },
);
