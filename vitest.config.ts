import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The renderer imports the shared contract as `@shared/…` (renderer/tsconfig.json, renderer/vite.config.ts).
const alias = { '@shared': path.resolve(import.meta.dirname, 'electron/shared') };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['electron/**/*.test.ts', 'scripts/**/*.test.ts', 'renderer/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['electron/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One llama-server at a time on a 2-core machine keeps timings honest.
          fileParallelism: false,
          globalSetup: ['electron/test/global-setup.ts'],
        },
      },
    ],
  },
});
