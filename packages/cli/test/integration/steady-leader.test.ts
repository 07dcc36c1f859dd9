import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectTransport, createSilentLogger, createSubjects, type Transport } from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHms } from '../fixtures/run-hms.js';

/**
 * How long the swarm is watched, in millis. `npm test` watches 90 s while the rest of the suite
 * loads the machine (3 minutes until the soak benchmark took over the long watch: 10 and 30
 * minutes under far heavier load, see bench/RESULTS.md); `HMS_STEADY_MS=600000` gives the
 * 10-minute run recorded there.
 */
const WATCH_MS = Number(process.env.HMS_STEADY_MS ?? 90_000);

describe('a steady swarm', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-steady-'));
  const swarm = `steady${process.pid}`;
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  let client: Transport;

  beforeAll(async () => {
    expect((await runHms(['up', '--nodes', '3', '--detach'], env)).code).toBe(0);
    client = await connectTransport({ servers: env.NATS_URL, from: 'watch', logger: createSilentLogger() });
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await runHms(['down'], env);
    rmSync(home, { recursive: true, force: true });
  });

  it(
    `holds one leader with no election for ${Math.round(WATCH_MS / 1000)} s, under the load of the other tests`,
    async () => {
      const subjects = createSubjects(swarm);
      const leaders = new Set<string>();
      const terms = new Set<number>();
      const campaigns: string[] = [];
      const beats: number[] = [];
      let watching = false;
      const sub = client.subscribe(subjects.raftPattern(), (m) => {
        const { type, term, from } = m.body as { type: string; term: number; from: string };
        if (!watching) {
          if (type === 'heartbeat') leaders.add(from);
          return;
        }
        if (type === 'heartbeat') {
          leaders.add(from);
          terms.add(term);
          beats.push(Date.now());
        } else {
          // pre-vote or request-vote: some follower stopped hearing the leader.
          campaigns.push(`${type} from ${from} for term ${term}`);
        }
      });
      await waitFor(async () => leaders.size > 0, { timeoutMs: 15_000, what: 'a leader' });
      leaders.clear();
      watching = true;
      await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
      sub.unsubscribe();

      const gaps = beats.slice(1).map((t, i) => t - (beats[i] as number));
      process.stdout.write(
        `steady ${WATCH_MS / 1000} s: leaders ${[...leaders].join(',')}, terms ${[...terms].join(',')}, ` +
          `${beats.length} leader heartbeats, longest gap ${Math.max(...gaps)} ms, campaigns ${campaigns.length}\n`,
      );
      expect(campaigns).toEqual([]);
      expect(leaders.size).toBe(1);
      expect(terms.size).toBe(1);
    },
    WATCH_MS + 60_000,
  );
});
