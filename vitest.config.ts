import { defineConfig } from 'vitest/config';

// Suites that never open a database: CI's PostgreSQL pass would only repeat them.
const databaseFree = [
  'test/domain/**',
  'test/cli/**',
  'test/telephony/media/**',
  'test/telephony/sim-network.test.ts',
  // The dashboard: its state rules, and the browser tests (one SQLite server of their own).
  'test/web/**',
  'test/browser/**',
  ...['baresip', 'driver-sipp', 'parser', 'registrar', 'transaction', 'transport', 'ua'].map(
    (name) => `test/telephony/sip/${name}.test.ts`,
  ),
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(process.env.DATABASE_URL ? databaseFree : [])],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most suites wait on sockets, child processes and the database rather than the CPU, so more
    // forks than cores finish sooner; VITEST_MAX_WORKERS lowers it on a loaded machine.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 3,
  },
});
