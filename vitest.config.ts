import { defineConfig } from 'vitest/config';

const ci = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    // Forks, not threads: tests start servers, change cwd and load native modules.
    pool: 'forks',
    testTimeout: ci ? 60_000 : 30_000,
    hookTimeout: ci ? 120_000 : 60_000,
    reporters: ci ? ['default'] : ['default'],
  },
});
