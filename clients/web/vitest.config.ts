import { defineConfig } from 'vitest/config';

// Unit tests of the web app's pure modules (no browser: the journeys in ../e2e drive the pages themselves).
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
