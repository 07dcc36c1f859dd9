// What the global test setup (packages/runtime/test/fixtures/nats-global-setup.ts,
// packages/cli/test/fixtures/steady-swarm-setup.ts) provides.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the nats-server (JetStream on) that the whole test run shares. */
    natsUrl: string;
    /** The file the suite-long steady watch writes its record to, when HMS_STEADY_WATCH=1. */
    steadyRecord?: string;
  }
}
