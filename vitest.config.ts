import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SteadyLastSequencer } from './packages/cli/test/fixtures/steady-last-sequencer.js';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; processes that tests spawn run the built dist.
    alias: {
      '@hms/runtime/testing': fileURLToPath(new URL('./packages/runtime/src/testing.ts', import.meta.url)),
      '@hms/runtime/client': fileURLToPath(new URL('./packages/runtime/src/client.ts', import.meta.url)),
      '@hms/runtime/errors': fileURLToPath(new URL('./packages/runtime/src/errors.ts', import.meta.url)),
      '@hms/runtime/native-population': fileURLToPath(
        new URL('./packages/runtime/src/native-population.ts', import.meta.url),
      ),
      '@hms/runtime/call-trace': fileURLToPath(
        new URL('./packages/runtime/src/resilience/call-trace.ts', import.meta.url),
      ),
      '@hms/runtime/subjects': fileURLToPath(new URL('./packages/runtime/src/transport/subjects.ts', import.meta.url)),
      '@hms/runtime': src('runtime'),
      '@hms/agents': src('agents'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts'],
    // The second starts the suite-long steady watch when HMS_STEADY_WATCH=1 (npm test sets it).
    globalSetup: [
      'packages/runtime/test/fixtures/nats-global-setup.ts',
      'packages/cli/test/fixtures/steady-swarm-setup.ts',
    ],
    sequence: { sequencer: SteadyLastSequencer },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
