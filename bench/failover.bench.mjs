#!/usr/bin/env node
// Failover with real node processes (`hms node start`) against one nats-server, default
// settings: (1) kill -9 of the leader's process → the first leader heartbeat of a higher term
// from another node, over KILLS kills in a 3-node and in a 5-node swarm; (2) kill -9 of a
// (non-leader) node hosting CELLS counter cells → every one of them answering again, restored
// with its count, on the survivors. After each kill the node is restarted under the same name
// and the swarm settles (its pinned cells return home) before the next kill. (3) PAUSES pauses
// of that node (SIGSTOP 750 ms, then SIGCONT): none of its cells may move, no election follow.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectTransport,
  createControlClient,
  createSilentLogger,
  createSubjects,
  SnapshotStore,
  startNatsServer,
} from '@hms/runtime';
import { percentile, printTable } from './stats.mjs';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const CELLS = Number(process.env.BENCH_CELLS ?? 1000);
const PAUSES = Number(process.env.BENCH_PAUSES ?? 10);
/** How long a paused node is stopped (SIGSTOP), in millis. */
const PAUSE_MS = 750;
const cli = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const storeDir = mkdtempSync(join(tmpdir(), 'hms-bench-failover-'));
const server = await startNatsServer({ storeDir });
const logger = createSilentLogger();
const client = await connectTransport({ servers: server.url, from: 'bench', logger });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, predicate, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

// Node processes outlive a crashed benchmark unless it kills them on the way out.
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  server.process.kill('SIGKILL');
});

function startNode(swarm, name) {
  const child = spawn(
    process.execPath,
    [
      cli,
      'node',
      'start',
      '--name',
      name,
      '--nats',
      server.url,
      '--swarm',
      swarm,
      '--data-dir',
      join(storeDir, 'nodes', swarm, name),
    ],
    {
      stdio: 'ignore',
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Watches leader heartbeats: the latest leader and term, and a hook for the next change. */
function watchLeader(swarm) {
  const subjects = createSubjects(swarm);
  const state = { leader: null, term: 0, lastBeat: new Map(), onBeat: null };
  const sub = client.subscribe(subjects.raft('heartbeat'), (m) => {
    const { term, from } = m.body;
    state.lastBeat.set(from, Date.now());
    if (term >= state.term) {
      state.term = term;
      state.leader = from;
    }
    state.onBeat?.(from, term);
  });
  return { state, stop: () => sub.unsubscribe() };
}

async function leaderKills(nodeCount) {
  const swarm = `fo${nodeCount}x${process.pid}`;
  const names = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
  const procs = new Map(names.map((n) => [n, startNode(swarm, n)]));
  const watch = watchLeader(swarm);
  const control = createControlClient(client, swarm);
  const samples = [];
  try {
    for (let k = 0; k < KILLS; k++) {
      // Steady: a leader, and every node alive and following it.
      await until('a steady swarm', async () => {
        if (!watch.state.leader || Date.now() - (watch.state.lastBeat.get(watch.state.leader) ?? 0) > 300) return false;
        const nodes = await control.listNodes().catch(() => []);
        return (
          nodes.filter((n) => n.status === 'alive').length === nodeCount &&
          nodes.every((n) => n.status !== 'alive' || (n.term === watch.state.term && n.role !== 'candidate'))
        );
      });
      const victim = watch.state.leader;
      const oldTerm = watch.state.term;
      const elected = new Promise((resolve) => {
        watch.state.onBeat = (from, term) => {
          if (from !== victim && term > oldTerm) resolve(Date.now());
        };
      });
      const killedAt = Date.now();
      procs.get(victim).kill('SIGKILL');
      samples.push((await elected) - killedAt);
      watch.state.onBeat = null;
      procs.set(victim, startNode(swarm, victim));
    }
  } finally {
    watch.stop();
    for (const p of procs.values()) p.kill('SIGTERM');
  }
  return samples;
}

async function cellKills() {
  const swarm = `fc${process.pid}`;
  const subjects = createSubjects(swarm);
  const names = ['n1', 'n2', 'n3'];
  const procs = new Map(names.map((n) => [n, startNode(swarm, n)]));
  const watch = watchLeader(swarm);
  const control = createControlClient(client, swarm);
  const samples = [];
  const firstAnswerSamples = [];
  try {
    await until('three live nodes', async () => (await control.listNodes().catch(() => [])).length === 3);
    await until('a leader', () => watch.state.leader !== null);
    // Cells return home in one go after a restart; the measured part is the kill.
    await control.configure({ 'placement.rebalanceBatch': CELLS });
    const victim = names.find((n) => n !== watch.state.leader);
    const ids = Array.from({ length: CELLS }, (_, i) => `c-${i}`);
    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(ids.slice(i, i + 25).map((id) => control.createAgent({ type: 'counter', id, node: victim })));
    }
    await Promise.all(ids.map((id) => client.request(subjects.cellInbox(id), 'increment', { by: 1 })));
    // Snapshots are saved within persistence.snapshotMaxStaleMs (100 ms) of a change: a kill
    // sooner loses that change, by design. Wait until every count is stored.
    const store = await SnapshotStore.open(client, swarm);
    await until('every count saved', async () => {
      const saved = await Promise.all(ids.map((id) => store.load(id)));
      return saved.every((s) => s?.snapshot?.context?.count === 1);
    });
    for (let k = 0; k < KILLS; k++) {
      await until(
        `every cell home on ${victim} and running`,
        async () => {
          const agents = await control.listAgents();
          return agents.length === CELLS && agents.every((a) => a.node === victim && a.status === 'running');
        },
        120_000,
      );
      // Each re-placed cell is asked once its new copy has started; the time is its first good answer.
      const answered = new Map();
      let allAnswered;
      const done = new Promise((r) => {
        allAnswered = r;
      });
      const sub = client.subscribe(subjects.eventPattern('cell.started'), (m) => {
        const id = subjects.parseEvent(m.subject)?.cellId;
        if (!id || m.body.node === victim || answered.has(id)) return;
        client.request(subjects.cellInbox(id), 'get', undefined, { timeout: 5000 }).then(
          (reply) => {
            if (reply.count !== 1) throw new Error(`${id} lost its state: ${JSON.stringify(reply)}`);
            if (!answered.has(id)) answered.set(id, Date.now());
            if (answered.size === CELLS) allAnswered();
          },
          () => undefined,
        );
      });
      await client.flush();
      const killedAt = Date.now();
      procs.get(victim).kill('SIGKILL');
      await done;
      sub.unsubscribe();
      const times = [...answered.values()].map((t) => t - killedAt);
      samples.push(Math.max(...times));
      firstAnswerSamples.push(Math.min(...times));
      procs.set(victim, startNode(swarm, victim));
    }
    // Pauses: SIGSTOP the node for PAUSE_MS, then SIGCONT. Slow is not dead: none of its cells
    // may move (placement.moved) and no election may follow, in a window of 3 s after each.
    await until(
      `every cell home on ${victim} and running`,
      async () => {
        const agents = await control.listAgents();
        return agents.length === CELLS && agents.every((a) => a.node === victim && a.status === 'running');
      },
      120_000,
    );
    const moved = client.subscribe(subjects.eventPattern('placement.moved'), () => {
      pauses.moved++;
    });
    const termBefore = watch.state.term;
    for (let k = 0; k < PAUSES; k++) {
      const child = procs.get(victim);
      child.kill('SIGSTOP');
      await sleep(PAUSE_MS);
      child.kill('SIGCONT');
      await sleep(3000);
      pauses.done++;
    }
    moved.unsubscribe();
    pauses.elections = watch.state.term - termBefore;
  } finally {
    watch.stop();
    for (const p of procs.values()) p.kill('SIGTERM');
  }
  return { all: samples, first: firstAnswerSamples };
}

/** What the pauses of cellKills showed. */
const pauses = { done: 0, moved: 0, elections: 0 };

const rows = [];
const row = (measure, samples) => ({
  measure,
  kills: samples.length,
  'p50 ms': Math.round(percentile(samples, 0.5)),
  'p99 ms': Math.round(percentile(samples, 0.99)),
  'max ms': Math.round(Math.max(...samples)),
});
rows.push(row('kill -9 leader → new leader (3 nodes)', await leaderKills(3)));
rows.push(row('kill -9 leader → new leader (5 nodes)', await leaderKills(5)));
const cells = await cellKills();
rows.push(row(`kill -9 node → first of ${CELLS} cells answering`, cells.first));
rows.push(row(`kill -9 node → all ${CELLS} cells answering`, cells.all));
printTable(
  `failover — real node processes, default settings (election timeout 500–1000 ms, heartbeats 100 ms / node heartbeats 1000 ms, suspect at phi 8) (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version})`,
  rows,
);
console.log(
  `\n${pauses.done} pauses (SIGSTOP ${PAUSE_MS} ms, then SIGCONT) of the node hosting the ${CELLS} cells: ` +
    `${pauses.moved} cells moved, ${pauses.elections} elections (target: 0 and 0)`,
);
await client.close();
await server.stop();
rmSync(storeDir, { recursive: true, force: true });
process.exit(0);
