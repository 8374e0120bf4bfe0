import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the workspaces' TypeScript sources (the `source` export condition), never their builds.
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    include: [
      'runtime/src/**/*.test.ts',
      'data/src/**/*.test.ts',
      'training/src/**/*.test.ts',
      'cli/src/**/*.test.ts',
      'onnx/src/**/*.test.ts',
      'electron/src/**/*.test.ts',
      'renderer/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
  },
});
