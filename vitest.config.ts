import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'runtime/src/**/*.test.ts',
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
