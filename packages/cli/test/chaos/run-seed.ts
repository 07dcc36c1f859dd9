import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectTransport,
  createControlClient,
  createSilentLogger,
  createSubjects,
  type Transport,
} from '@hms/runtime';
import { NetnsSwarm } from '../fixtures/netns-swarm.js';
import type { ChaosRecords, FinalRead, Violation } from './chaos-records.js';
import { checkHistory } from './check-history.js';
import { injectFault } from './fault-injector.js';
import { createFaultSchedule, describeFault, type Fault, type FaultKind } from './fault-schedule.js';
import { readNodeRecords, readOperations } from './read-records.js';

/** Options of {@link runSeed}. */
export interface SeedOptions {
  seed: number;
  /** Length of the fault phase, millis. */
  faultMs: number;
  /** Counter cells the clients increment; default 6. */
  counters?: number;
  /** Client processes; default 3. */
  clients?: number;
  /** How long after the last heal every counter must answer, millis; default 30 000. */
  recoveryBoundMs?: number;
  kinds?: readonly FaultKind[];
  /** Keep the run's directory (logs, histories) even when it passed. */
  keepDir?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Extra environment of the nodes (a broken build's switch, say). */
  nodeEnv?: Record<string, string>;
}

/** What one seed did and what the checker found. */
export interface SeedResult {
  seed: number;
  faults: Fault[];
  operations: { ok: number; fail: number; info: number };
  violations: Violation[];
  /** The run's directory when kept (always when a violation was found). */
  dir?: string;
  /** Wall time of the whole seed (start-up to clean-up), millis. */
  wallMs: number;
  /** From the last heal until every counter answered, millis. */
  recoveryMs: number;
}

const clientScript = fileURLToPath(new URL('./workload-client.mjs', import.meta.url));

/** The swarm being run, so that an interrupted run can still clean up (see {@link stopRunningSwarm}). */
let current: NetnsSwarm | undefined;
let currentClients: ChildProcess[] = [];

/** Stops whatever a seed left running: for SIGINT handlers. */
export async function stopRunningSwarm(): Promise<void> {
  for (const c of currentClients) c.kill('SIGKILL');
  await current?.stop({ keepDir: true });
}

/**
 * One seed: a 3-server, 5-node swarm in network namespaces, counters created, clients
 * incrementing them throughout a seeded fault schedule, every fault healed, every counter asked
 * until it answers, the clients stopped, the final counts read once the swarm has one copy of
 * every cell, and the records checked.
 */
export async function runSeed(options: SeedOptions): Promise<SeedResult> {
  const began = Date.now();
  const log = options.log ?? (() => undefined);
  const swarm = new NetnsSwarm({
    swarm: `chaos${options.seed}x${process.pid}`,
    nodeEnv: { LOG_LEVEL: 'debug', ...options.nodeEnv },
  });
  current = swarm;
  const faults = createFaultSchedule({
    seed: options.seed,
    durationMs: options.faultMs,
    nodes: swarm.nodes.length,
    servers: swarm.servers.length,
    ...(options.kinds ? { kinds: options.kinds } : {}),
  });
  const counters = Array.from({ length: options.counters ?? 6 }, (_, i) => `k${i + 1}`);
  const recoveryBoundMs = options.recoveryBoundMs ?? 30_000;
  const histories: string[] = [];
  const clients: ChildProcess[] = [];
  currentClients = clients;
  let observer: Transport | undefined;
  let keep = options.keepDir ?? false;
  const note = (line: string) => {
    appendFileSync(join(swarm.dir, 'faults.log'), `${new Date().toISOString()} ${line}\n`);
    log(line);
  };
  try {
    await swarm.start();
    await swarm.startNodes();
    observer = await connectTransport({
      servers: swarm.servers.map((s) => s.natsUrl),
      from: 'chaos-runner',
      logger: createSilentLogger(),
      reconnect: true,
    });
    const control = createControlClient(observer, swarm.swarm, { timeoutMs: 5000 });
    await until(60_000, 'a leader of five nodes', async () => {
      const s = await control.systemStatus();
      return s.leader !== null && s.nodes.filter((n) => n.status === 'alive').length === swarm.nodes.length;
    });
    for (const id of counters)
      await until(30_000, `counter ${id} created`, async () => {
        await control.createAgent({ type: 'counter', id }, { overloadWaitMs: 5000 }).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'ALREADY_EXISTS') throw err;
        });
        return true;
      });
    const subjects = createSubjects(swarm.swarm);
    const ask = (id: string) =>
      observer?.request(subjects.cellInbox(id), 'get', {}, { timeout: 1000 }) as Promise<{ count: number }>;
    await until(30_000, 'every counter answering', async () => (await Promise.all(counters.map(ask))).length > 0);

    const servers = swarm.servers.map((s) => s.natsUrl).join(',');
    for (let i = 1; i <= (options.clients ?? 3); i++) {
      const out = join(swarm.dir, `client${i}.jsonl`);
      histories.push(out);
      clients.push(
        spawn(
          process.execPath,
          [clientScript, `c${i}`, swarm.swarm, servers, counters.join(','), out, String(options.seed * 31 + i)],
          { stdio: ['ignore', 'ignore', 'inherit'] },
        ),
      );
    }

    note(`seed ${options.seed}: ${faults.length} faults over ${options.faultMs / 1000}s`);
    const t0 = Date.now();
    for (const f of faults) {
      await waitUntil(t0 + f.at);
      note(`fault ${describeFault(f)}`);
      const heal = await injectFault(swarm, f);
      await waitUntil(t0 + f.at + f.durationMs);
      await heal();
      note(`healed ${f.kind}`);
    }
    await waitUntil(t0 + options.faultMs);
    const lastHealAt = Date.now();

    // Every counter must answer again within the bound; the clients keep calling meanwhile.
    const answeredAt = new Map<string, number>();
    await until(recoveryBoundMs, 'every counter answering after the last heal', async () => {
      await Promise.all(
        counters
          .filter((id) => !answeredAt.has(id))
          .map(async (id) => {
            if (await ask(id).catch(() => null)) answeredAt.set(id, Date.now());
          }),
      );
      return answeredAt.size === counters.length;
    }).catch(() => undefined);

    await Promise.all(
      clients.map((c) => {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        return gone;
      }),
    );
    // The final counts once the swarm has settled: every node alive, one copy of every counter.
    await until(60_000, 'one copy of every counter on live nodes', async () => {
      const [s, agents] = await Promise.all([control.systemStatus(), control.listAgents()]);
      return (
        s.nodes.filter((n) => n.status === 'alive').length === swarm.nodes.length &&
        counters.every((id) => agents.some((a) => a.id === id && a.status === 'running' && a.copies === 1))
      );
    }).catch((err: unknown) => note(String(err)));
    const finals: FinalRead[] = [];
    for (const id of counters) {
      let count: number | null = null;
      await until(10_000, `final count of ${id}`, async () => {
        count = (await ask(id).catch(() => null))?.count ?? null;
        return count !== null;
      }).catch(() => undefined);
      const at = answeredAt.get(id);
      finals.push({
        counter: id,
        count: at === undefined ? null : count,
        ...(at === undefined ? {} : { answeredAt: at }),
      });
    }

    const records: ChaosRecords = {
      operations: readOperations(histories),
      ...readNodeRecords(swarm.nodes.map((n) => ({ node: n.name, file: swarm.nodeLog(n) }))),
      finals,
      lastHealAt,
      recoveryBoundMs,
    };
    const violations = checkHistory(records);
    if (violations.length > 0) keep = true;
    const ops = records.operations;
    return {
      seed: options.seed,
      faults,
      operations: {
        ok: ops.filter((o) => o.outcome === 'ok').length,
        fail: ops.filter((o) => o.outcome === 'fail').length,
        info: ops.filter((o) => o.outcome === 'info').length,
      },
      violations,
      ...(keep ? { dir: swarm.dir } : {}),
      wallMs: Date.now() - began,
      recoveryMs: Math.max(0, ...[...answeredAt.values()].map((t) => t - lastHealAt)),
    };
  } catch (err) {
    keep = true;
    throw new Error(`seed ${options.seed} did not run to the end (its files: ${swarm.dir}): ${String(err)}`);
  } finally {
    for (const c of clients) c.kill('SIGKILL');
    await observer?.close().catch(() => undefined);
    await swarm.stop({ keepDir: keep });
    current = undefined;
  }
}

/** Asks `check` (every 200 ms) until it returns true; throws after `ms` naming `what`. */
async function until(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves at wall-clock time `t` (the schedule's clock, not a condition). */
function waitUntil(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
}
