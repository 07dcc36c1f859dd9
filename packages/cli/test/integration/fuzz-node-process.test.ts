import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectTransport,
  createControlClient,
  createSilentLogger,
  createSubjects,
  type Transport,
} from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fuzzFamilies } from '../fixtures/fuzz-families.js';
import { type FamilyCount, FuzzPublisher } from '../fixtures/fuzz-publisher.js';
import { HeartbeatMalformed, runFuzzFamily } from '../fixtures/fuzz-run.js';
import { hmsBin, isAlive, runHms } from '../fixtures/run-hms.js';

/** Cases per family against the real node process (25,000 in all); scaled by `HMS_FUZZ_SCALE`. */
const CASES_PER_FAMILY = Math.round(2500 * Number(process.env.HMS_FUZZ_SCALE ?? 1));
const BATCH = 500;
/** fast-check's seed: `HMS_FUZZ_SEED` replays a failing run. */
const SEED = Number(process.env.HMS_FUZZ_SEED ?? Date.now() % 2 ** 31);

describe('fuzzing a real hms node process', () => {
  const url = inject('natsUrl');
  const swarm = `fzp${process.pid}`;
  const subjects = createSubjects(swarm);
  const dir = mkdtempSync(join(tmpdir(), 'hms-fuzz-node-'));
  const env = { NATS_URL: url, HMS_SWARM: swarm, HMS_HOME: dir };
  let node: ChildProcess;
  let log = '';
  let client: Transport;
  let fuzzer: Transport;

  beforeAll(async () => {
    node = spawn(
      process.execPath,
      [hmsBin, 'node', 'start', '--name', 'p1', '--nats', url, '--swarm', swarm, '--data-dir', join(dir, 'p1')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.stdout?.on('data', (d) => {
      log += d;
    });
    node.stderr?.on('data', (d) => {
      log += d;
    });
    client = await connectTransport({ servers: url, from: 'fuzz-client', logger: createSilentLogger() });
    fuzzer = await connectTransport({ servers: url, from: 'fuzz', logger: createSilentLogger() });
    const control = createControlClient(client, swarm);
    await waitFor(
      () =>
        control.systemStatus().then(
          (s) => s.leader === 'p1',
          () => false,
        ),
      { timeoutMs: 30_000, everyMs: 200, what: 'the node to lead its swarm' },
    );
    for (const [type, id, config] of [
      ['counter', 'c1', {}],
      ['health-monitor', 'hm1', {}],
      ['metrics-collector', 'mc1', {}],
      ['recovery-manager', 'rm1', {}],
      ['adaptive-config', 'ac1', {}],
      ['ga-island', 'gi1', { run: 'fzrun', population: 8, dim: 2, generations: 1_000_000 }],
    ] as const) {
      await control.createAgent({ type, id, config });
    }
  }, 60_000);

  afterAll(async () => {
    // HMS_FUZZ_LOG=<file>: the node's log, to see what a case broke.
    if (process.env.HMS_FUZZ_LOG) writeFileSync(process.env.HMS_FUZZ_LOG, log);
    node?.kill('SIGTERM');
    await fuzzer?.close();
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps answering after 25,000 malformed messages on every subject family, with each counted and nothing fatal logged', async () => {
    const control = createControlClient(client, swarm);
    const before = await control.systemStatus();
    const reported = new HeartbeatMalformed(client, subjects, ['p1'], node.pid);
    await waitFor(() => reported.reporting() === 1, { what: 'a heartbeat of the node' });
    const publisher = new FuzzPublisher(fuzzer.nc);
    const families = fuzzFamilies({
      subjects,
      nodes: ['p1'],
      cells: ['c1', 'hm1', 'mc1', 'rm1', 'ac1', 'gi1'],
      islands: ['gi1'],
      services: [['hms-control', 'agent-list']],
    });
    const order = ['cell', 'node', 'raft', 'hb', 'ga', 'evt', '$SRV', 'svc', 'ctl', 'lead'];
    families.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    const counts: FamilyCount[] = [];
    const started = Date.now();
    for (const family of families) {
      counts.push(
        await runFuzzFamily(family, {
          publisher,
          subjects,
          nodes: ['p1'],
          cases: CASES_PER_FAMILY,
          batch: BATCH,
          seed: SEED,
          malformed: () => reported.total(),
          exact: false,
          check: () => {
            if (!isAlive(node.pid as number)) throw new Error(`the node process died:\n${log.slice(-4000)}`);
            if (reported.refused.length > 0) throw new Error(`own heartbeat refused: ${reported.refused[0]}`);
          },
        }),
      );
    }
    const total = counts.reduce((sum, c) => sum + c.cases, 0);
    console.log(`fuzz total (node process): ${total} cases in ${Date.now() - started} ms, seed ${SEED}`);
    expect(total).toBeGreaterThanOrEqual(25_000 * Math.min(1, Number(process.env.HMS_FUZZ_SCALE ?? 1)));
    reported.close();

    // Alive, answering, the same leader and term, and nothing fatal in its log.
    expect(isAlive(node.pid as number)).toBe(true);
    // The flood may leave the node overloaded for a moment: a create is refused (retryable) until then.
    let created = await runHms(['agent', 'create', 'counter', '--id', 'after-fuzz'], env);
    await waitFor(
      async () => {
        if (!created.stderr.includes('overloaded')) return true;
        created = await runHms(['agent', 'create', 'counter', '--id', 'after-fuzz'], env);
        return false;
      },
      { timeoutMs: 30_000, everyMs: 250, what: 'the node to take a new cell' },
    );
    expect(created.code, created.stderr).toBe(0);
    const called = await runHms(['agent', 'call', 'after-fuzz', 'increment', '{"by":2}', '--json'], env);
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.parse(called.stdout)).toMatchObject({ count: 2 });
    const listed = await runHms(['agent', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('after-fuzz');
    const after = await control.systemStatus();
    expect({ leader: after.leader, term: after.term }).toEqual({ leader: before.leader, term: before.term });
    const errors = new Map<string, number>();
    for (const line of log.split('\n')) {
      const entry = parseLogLine(line);
      if (entry && entry.level >= 50) {
        const key = `${entry.msg}: ${entry.err?.message ?? ''}`.slice(0, 200);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
    for (const [key, n] of errors) console.log(`fuzz node log: ${n} × ${key}`);
    expect(log).not.toMatch(/"level":60|uncaughtException|unhandledRejection/);
  }, 180_000);
});

/** One pino line of the node's log; undefined for anything else. */
function parseLogLine(line: string): { level: number; msg?: string; err?: { message?: string } } | undefined {
  try {
    const entry = JSON.parse(line) as { level?: unknown };
    return typeof entry.level === 'number' ? (entry as { level: number }) : undefined;
  } catch {
    return undefined;
  }
}
