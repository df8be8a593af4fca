import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the demo page in Debian's chromium (driven by playwright-core). Kept apart from
 * the unit suite (`*.browser.ts` does not match its `*.test.ts`): it needs a browser and takes a minute.
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/browser/**/*.browser.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
