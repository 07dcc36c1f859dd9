#!/usr/bin/env node
// Soak: real node processes (`hms node start`, default settings) against one nats-server on
// 127.0.0.1, loaded through the control plane as a user program would, then held.
//
//   soak (default): HMS_SOAK_NODES (3) nodes, HMS_SOAK_CELLS (10,000) cells of which
//     HMS_SOAK_TICKING (3,000) `counter` cells count the ticker's 1 Hz broadcast (a persisted
//     change each per second) and the rest `echo`; created HMS_SOAK_INFLIGHT (32) at a time,
//     then held HMS_SOAK_HOLD_MS (30 min). With HMS_SOAK_KILL=1 (default) a non-leader node is
//     kill -9'd mid-hold and its cells must answer from the survivors.
//   scale (HMS_SOAK_SCALE=1): HMS_SOAK_CELLS (100,000) `echo` cells over HMS_SOAK_NODES (5)
//     nodes: start time, memory per node, heartbeat bytes/s, the leader's CPU, `hms agent list`
//     time, then kill -9 of a node and its cells answering elsewhere.
//   HMS_SOAK_VICTIM=<node> kills that node instead of the first non-leader.
//
// Bounded by HMS_SOAK_MAX_MS; whatever it started is stopped on success, error, timeout or Ctrl-C.
import { cpus } from 'node:os';
import { demoCellPlan } from '@hms/agents';
import { connectTransport, createControlClient, createSilentLogger } from '@hms/runtime';
import { createCells, soakSpecs } from './soak/create-cells.mjs';
import { runScale } from './soak/scale-run.mjs';
import { runSoak } from './soak/soak-run.mjs';
import { observeSwarm } from './soak/swarm-observer.mjs';
import { startSwarmProcesses } from './soak/swarm-processes.mjs';
import { printTable } from './stats.mjs';

const env = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`soak: ${name} must be a number >= 0 (got ${JSON.stringify(raw)})\n`);
    process.exit(2);
  }
  return n;
};

const scale = env('HMS_SOAK_SCALE', 0) === 1;
const params = {
  scale,
  nodes: env('HMS_SOAK_NODES', scale ? 5 : 3),
  cells: env('HMS_SOAK_CELLS', scale ? 100_000 : 10_000),
  ticking: scale ? 0 : env('HMS_SOAK_TICKING', 3000),
  inFlight: env('HMS_SOAK_INFLIGHT', 32),
  holdMs: env('HMS_SOAK_HOLD_MS', 30 * 60_000),
  kill: env('HMS_SOAK_KILL', 1) === 1,
  steadyMs: env('HMS_SOAK_STEADY_MS', 30_000),
  /** The node to kill (default: the first that is not the leader). */
  victim: process.env.HMS_SOAK_VICTIM || null,
};
if (params.nodes < (params.kill || scale ? 3 : 1) || params.ticking > params.cells) {
  process.stderr.write('soak: needs at least 3 nodes to kill one, and HMS_SOAK_TICKING <= HMS_SOAK_CELLS\n');
  process.exit(2);
}
const createBudgetMs = Math.max(5 * 60_000, params.cells * 60);
const maxMs = env('HMS_SOAK_MAX_MS', createBudgetMs + (scale ? params.steadyMs : params.holdMs) + 15 * 60_000);
const deadline = Date.now() + maxMs;

const swarm = `soak${process.pid}`;
// Node capacity: the default (10,000) unless the cells would not fit on the survivors of a kill.
const survivors = Math.max(1, params.nodes - (params.kill || scale ? 1 : 0));
const capacity = Math.max(10_000, Math.ceil((params.cells / survivors) * 1.25));
const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} soak: ${line}\n`);

const procs = await startSwarmProcesses(swarm, { capacity });
let client;
let observer;
const stop = async (graceMs) => {
  await observer?.stop().catch(() => undefined);
  await client?.close().catch(() => undefined);
  await procs.stopAll(graceMs);
};
const watchdog = setTimeout(async () => {
  log(`out of time after ${Math.round(maxMs / 1000)} s (HMS_SOAK_MAX_MS); stopping`);
  await stop(3000);
  process.exit(1);
}, maxMs);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: stopping`);
    await stop(3000);
    process.exit(130);
  });
}

try {
  client = await connectTransport({ servers: procs.url, from: 'soak-bench', logger: createSilentLogger() });
  observer = await observeSwarm(client, swarm);
  const names = Array.from({ length: params.nodes }, (_, i) => `n${i + 1}`);
  for (const name of names) procs.startNode(name);
  await until('every node heartbeating and a leader', () => {
    const live = names.filter((n) => observer.nodes.get(n)?.term !== undefined);
    return live.length === names.length && observer.leader !== null;
  });
  const control = createControlClient(client, swarm, { timeoutMs: 30_000 });
  const setup = { swarm, names, control, client, procs, observer, params, deadline, log, until, hostedCells };
  // The built-in cells `hms up` creates (health monitor, metrics collector, ticker, …).
  const plan = demoCellPlan(names);
  await createCells(control, plan, { inFlight: 4, deadline });
  log(`${names.length} nodes, leader ${observer.leader}; ${plan.length} built-in cells created`);
  const specs = soakSpecs(params.cells, params.ticking);
  const expected = plan.length + specs.length;
  const allIds = [...plan, ...specs].map((s) => s.id);
  const context = { ...setup, specs, expected, allIds, createCells };
  const tables = params.scale ? await runScale(context) : await runSoak(context);
  const title = `${params.scale ? 'scale' : 'soak'} — ${params.nodes} node processes, one nats-server, default settings (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version})`;
  for (const [i, [subtitle, rows]] of tables.entries()) printTable(i === 0 ? `${title}\n${subtitle}` : subtitle, rows);
} catch (err) {
  log(`failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await stop(params.scale ? 60_000 : 20_000);
}
process.exit(process.exitCode ?? 0);

/** Resolves once `predicate` holds (checked every 100 ms); rejects at the run's deadline. */
async function until(what, predicate, timeoutMs = 5 * 60_000) {
  const end = Math.min(deadline, Date.now() + timeoutMs);
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Running cells the live nodes report (from their latest heartbeats), leaving out node `except`. */
function hostedCells(except) {
  let total = 0;
  for (const [name, n] of observer.nodes) {
    if (name !== except && !n.leaving) total += n.counts?.running ?? n.cellCount ?? 0;
  }
  return total;
}
