// What the global test setup (packages/runtime/test/fixtures/nats-global-setup.ts) provides.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the nats-server (JetStream on) that the whole test run shares. */
    natsUrl: string;
  }
}
