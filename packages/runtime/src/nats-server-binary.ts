import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run setup` installs the current nats-server, relative to the repository root. */
export const PROJECT_NATS_SERVER = join('.hms', 'bin', 'nats-server');

/**
 * The nats-server binary HMS starts: `HMS_NATS_SERVER` when set; else the one `npm run setup`
 * built into `<repo>/.hms/bin` (found from this module upwards), because distributions ship
 * releases too old for HMS (Debian 12: 2.9.10); else `nats-server` on PATH.
 */
export function natsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HMS_NATS_SERVER) return env.HMS_NATS_SERVER;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, PROJECT_NATS_SERVER);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return 'nats-server';
    dir = parent;
  }
}
