#!/usr/bin/env node --expose-gc
// Cells at scale, in one node process against one nats-server: cells started per second and
// memory per idle cell with persistence on (10,000 cells), and the time from a crash to the
// restored cell answering again (p50/p99 over 200 crashes).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { counterCell } from '@hms/agents';
import {
  CellRegistry,
  connectTransport,
  createNode,
  createSilentLogger,
  createSubjects,
  DesiredCells,
  defineCell,
  startNatsServer,
} from '@hms/runtime';
import { setup } from 'xstate';
import { percentile, printTable } from './stats.mjs';

const CELLS = Number(process.env.BENCH_CELLS ?? 10_000);
const CRASHES = Number(process.env.BENCH_CRASHES ?? 200);
if (!global.gc) {
  process.stderr.write('run with node --expose-gc (npm run bench -- cells does)\n');
  process.exit(2);
}

const idle = defineCell({
  type: 'idle',
  description: 'a cell that waits',
  machine: () => setup({}).createMachine({ context: { n: 0 }, initial: 'waiting', states: { waiting: {} } }),
});

const storeDir = mkdtempSync(join(tmpdir(), 'hms-bench-cells-'));
const server = await startNatsServer({ storeDir });
const logger = createSilentLogger();
const swarm = 'cells';
const subjects = createSubjects(swarm);
const transport = await connectTransport({ servers: server.url, from: 'bench-node', logger });
const client = await connectTransport({ servers: server.url, from: 'bench-client', logger });
const node = await createNode({
  nodeId: 'bench-node',
  swarm,
  transport,
  registry: new CellRegistry([idle, counterCell]),
  logger,
  // One crash at a time is measured: a window of 1 ms makes each crash the first in its window.
  restartIntensity: { maxRestarts: 5, periodMs: 1, backoffBaseMs: 5, backoffMaxMs: 5000 },
});
const desired = await DesiredCells.open(client, swarm, logger);

/** CPU time (user + system) of the nats-server process so far, in millis (Linux /proc). */
function serverCpuMs() {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((r) => setTimeout(r, 200));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
}

// --- cells started per second and memory per idle cell ---
const before = await settle();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const serverCpu0 = serverCpuMs();
for (let i = 0; i < CELLS; i += 500) {
  const batch = [];
  for (let j = i; j < Math.min(CELLS, i + 500); j++) {
    batch.push(
      desired.create({
        id: `idle-${j}`,
        type: 'idle',
        config: {},
        node: 'bench-node',
        epoch: 1,
        createdAt: Date.now(),
      }),
    );
  }
  await Promise.all(batch);
}
while (node.cells().filter((c) => c.status() === 'running').length < CELLS) await new Promise((r) => setTimeout(r, 20));
const startSeconds = (performance.now() - t0) / 1000;
// The machine is shared and loaded: the CPU each start costs is steadier than the wall time.
const cpu = process.cpuUsage(cpu0);
const benchCpuUsPerCell = (cpu.user + cpu.system) / CELLS;
const serverCpuUsPerCell = ((serverCpuMs() - serverCpu0) * 1000) / CELLS;
await Promise.all(node.cells().map((c) => c.flush()));
const after = await settle();
const perCell = (k) => ((after[k] - before[k]) / CELLS / 1024).toFixed(1);

// --- crash to restored cell answering ---
// Right after 10,000 starts the node may still say it is overloaded (event-loop lag): a
// retryable refusal, so ask again until it takes the cell.
for (const deadline = Date.now() + 60_000; ; ) {
  const created = await client
    .request(
      subjects.control('agent.create'),
      'agent.create',
      { type: 'counter', id: 'victim', node: 'bench-node' },
      { timeout: 30_000 },
    )
    .then(
      () => true,
      (err) => {
        if (err?.code !== 'OVERLOADED' || Date.now() > deadline) throw err;
        return false;
      },
    );
  if (created) break;
  await new Promise((r) => setTimeout(r, 200));
}
const inbox = subjects.cellInbox('victim');
await client.request(inbox, 'increment', { by: 1 });
const recovery = [];
for (let i = 0; i < CRASHES; i++) {
  const c0 = performance.now();
  await client.request(inbox, 'crash').catch(() => undefined);
  for (;;) {
    const r = await client.request(inbox, 'get', undefined, { timeout: 1000 }).catch(() => undefined);
    if (r) {
      if (r.count !== 1) throw new Error(`restored count ${r.count}, expected 1`);
      break;
    }
  }
  recovery.push(performance.now() - c0);
}

// --- restore: the node stops (saving every cell) and starts again; its cells come back from
// their snapshots the way a dead node's cells come back on a survivor (desired-cells watch →
// snapshot read → start → the new owner's first fenced save) ---
await node.stop();
const restoreTransport = await connectTransport({ servers: server.url, from: 'bench-node', logger });
const r0 = performance.now();
const restoreCpu0 = process.cpuUsage();
const restoreServerCpu0 = serverCpuMs();
const restored = await createNode({
  nodeId: 'bench-node',
  swarm,
  transport: restoreTransport,
  registry: new CellRegistry([idle, counterCell]),
  logger,
});
while (restored.cells().filter((c) => c.status() === 'running').length < CELLS + 1) {
  await new Promise((r) => setTimeout(r, 20));
}
const restoreRunningMs = performance.now() - r0;
// Every restored copy claims its snapshot for itself with a fenced save as it starts.
const claimed = await Promise.all(restored.cells().map((c) => c.flush()));
if (claimed.some((ok) => !ok)) throw new Error('a restored cell could not save its snapshot');
const restoreClaimedMs = performance.now() - r0;
const restoreCpu = process.cpuUsage(restoreCpu0);
const restoreCpuUs = (restoreCpu.user + restoreCpu.system) / (CELLS + 1);
const restoreServerCpuUs = ((serverCpuMs() - restoreServerCpu0) * 1000) / (CELLS + 1);
const victim = await client.request(inbox, 'get', undefined, { timeout: 10_000 });
if (victim.count !== 1) throw new Error(`restored victim count ${victim.count}, expected 1`);

printTable(
  `cells — ${CELLS} idle cells with persistence on in one node process; ${CRASHES} crashes of one counter cell (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.versions.node})`,
  [
    {
      measure: 'cells started per second (KV create → running, persisted)',
      value: Math.round(CELLS / startSeconds).toLocaleString('en-US'),
    },
    {
      measure: 'CPU per start: bench process (node + client), nats-server',
      value: `${Math.round(benchCpuUsPerCell)} µs, ${Math.round(serverCpuUsPerCell)} µs`,
    },
    { measure: 'JS heap per idle cell', value: `${perCell('heap')} KB` },
    { measure: 'external + array buffers per idle cell', value: `${perCell('external')} KB` },
    { measure: 'RSS per idle cell', value: `${perCell('rss')} KB` },
    { measure: 'crash → restored cell answering, p50', value: `${percentile(recovery, 0.5).toFixed(2)} ms` },
    { measure: 'crash → restored cell answering, p99', value: `${percentile(recovery, 0.99).toFixed(2)} ms` },
    {
      measure: `node restart: its ${CELLS + 1} cells restored from KV → all running`,
      value: `${(restoreRunningMs / 1000).toFixed(2)} s (${Math.round(((CELLS + 1) * 1000) / restoreRunningMs).toLocaleString('en-US')}/s)`,
    },
    { measure: '… and every first fenced save acknowledged', value: `${(restoreClaimedMs / 1000).toFixed(2)} s` },
    {
      measure: 'CPU per restore: bench process, nats-server',
      value: `${Math.round(restoreCpuUs)} µs, ${Math.round(restoreServerCpuUs)} µs`,
    },
  ],
);
await restored.stop();
await restoreTransport.close();
await transport.close();
await client.close();
await server.stop();
rmSync(storeDir, { recursive: true, force: true });
process.exit(0);
