#!/usr/bin/env node
// Self-tuning on fault patterns it has not seen: for each pattern, two in-process nodes on a real
// nats-server run a dependency cell and its callers; the swarm learns its fitness baseline
// healthy, then the fault is switched on and `evolution.auto` (self-started evolution) is left
// to notice the drop, run the GA on its model, and try the best live under the keep rule.
// Afterwards a hand-picked reference configuration within the genes' ranges is measured live
// against the defaults under the same fault, to tell whether a 20% better configuration exists.
// BENCH_PATTERNS=dead,slow limits the patterns; BENCH_PATTERN_MS bounds each pattern's auto part;
// BENCH_SAVE_CALIBRATIONS=<dir> saves what each self-started run is calibrated on (the tuner's
// `calibration` as the run starts, within the bench's 0.5 s poll) as <dir>/<pattern>-<run>.json,
// to score candidates on offline.
// `two-deps` has two dependencies, one flaky and one healthy but slow: the bench measures each
// edge (caller → dep, caller → slowdep) itself, before and after the kept trial, to show whether
// the kept configuration fixes the flaky edge without slowing the other (per-edge settings).
// `minority` starts a third node, n3, whose NATS connections go through a proxy that the bench
// cuts and heals (bench/partition-proxy.mjs): the dependency is pinned to n3, its callers run on
// n1 and n2, and the partition flaps, so the dependency is fenced and re-placed at every cut and
// handed back home after every heal.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinCells, geneValueText, SWARM_GENES } from '@hms/agents';
import {
  CellRegistry,
  createControlClient,
  createNode,
  createSilentLogger,
  createSubjects,
  defaultConfig,
  defineCell,
  startNatsServer,
  Transport,
} from '@hms/runtime';
import { connectTestTransport, startTestNodes, stopTestNodes, waitFor } from '@hms/runtime/testing';
import { setup } from 'xstate';
import { describeCycles, startPartitionCycles } from './partition-cycles.mjs';
import { startPartitionProxy } from './partition-proxy.mjs';
import { printTable } from './stats.mjs';

const AUTO_MS = Number(process.env.BENCH_PATTERN_MS ?? 100_000);
const ONLY = process.env.BENCH_PATTERNS?.split(',');
const SAVE_CALIBRATIONS = process.env.BENCH_SAVE_CALIBRATIONS;
/** `evolution.autoDropPct`: a fitness this many percent below the healthy baseline is a drop. */
const DROP_PCT = 10;

/** What the dependency does now; the bench switches it. */
const fault = { mode: 'ok' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Busy-waits `ms` on the event loop: the node's loop lags (both nodes share this process's loop). */
function burn(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

const depCell = defineCell({
  type: 'dep',
  queries: ['ping'],
  description: 'a dependency whose fault the bench switches',
  // crash: the cell crashes 300 ms after each start (a crash loop).
  machine: () =>
    setup({ delays: { life: 300 } }).createMachine({
      initial: 'up',
      states: {
        up: {
          after: {
            life: {
              actions: () => {
                if (fault.mode === 'crash') throw new Error('crash loop: the dependency fails on start');
              },
              target: 'up',
              reenter: true,
            },
          },
        },
      },
    }),
  reply: () => {
    switch (fault.mode) {
      case 'dead':
        // Longer than any timeout the genes allow: its callers never get an answer.
        return new Promise((r) => setTimeout(() => r({ late: true }), 8000));
      case 'slow':
        return new Promise((r) => setTimeout(() => r({ ok: true }), 700));
      case 'flaky':
        return Date.now() % 1500 < 300 ? new Promise((r) => setTimeout(() => r({ late: true }), 6000)) : { ok: true };
      case 'lag':
        burn(12);
        return { ok: true };
      default:
        return { ok: true };
    }
  },
});

/** How long `slowdep` takes to answer, in millis: healthy, but slower than a timeout tuned for `dep`. */
const SLOWDEP_MS = 400;
const slowDepCell = defineCell({
  type: 'slowdep',
  queries: ['ping'],
  description: `a healthy dependency that answers in ${SLOWDEP_MS} ms`,
  machine: () => setup({}).createMachine({}),
  reply: () => new Promise((r) => setTimeout(() => r({ ok: true }), SLOWDEP_MS)),
});

/** Every call the callers made (this process hosts the nodes): per-edge figures of a window. */
const callLog = [];

/** The p99 latency and error rate of the calls to `target` that started in [from, to). */
function edgeFigures(target, from, to) {
  const calls = callLog.filter((c) => c.target === target && c.at >= from && c.at < to);
  if (calls.length === 0) return null;
  const ms = calls.map((c) => c.ms).sort((a, b) => a - b);
  const p99 = ms[Math.min(ms.length - 1, Math.ceil(0.99 * ms.length) - 1)];
  return { p99, errors: calls.filter((c) => !c.ok).length / calls.length, calls: calls.length };
}

/** The failed calls to `target` that started in [from, to), counted by error name: `RequestTimeoutError 31, …`. */
function errorKinds(target, from, to) {
  const counts = new Map();
  for (const c of callLog) {
    if (c.target === target && !c.ok && c.at >= from && c.at < to) counts.set(c.error, (counts.get(c.error) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => `${name} ${n}`).join(', ') || 'none';
}

/**
 * Starts node `id` on connections through `url` (a proxy's), as `hms node start` connects: it
 * reconnects when its connection closes, where a test node would give up.
 */
async function startReconnectingNode(url, swarm, id, definitions, options) {
  const transport = await Transport.connect({ servers: url, from: id, logger: createSilentLogger() });
  const node = await createNode({
    nodeId: id,
    swarm,
    transport,
    registry: new CellRegistry(definitions),
    logger: createSilentLogger(),
    ...options,
  });
  return { node, transport };
}

/** Calls `target` (default `dep-1`) every `everyMs` without waiting (open load), with the swarm's request timeout. */
const callerCell = defineCell({
  type: 'caller',
  description: 'an open load on the dependency',
  config: (raw) => ({ everyMs: Number(raw?.everyMs ?? 50), target: String(raw?.target ?? 'dep-1') }),
  machine: (cell) =>
    setup({ delays: { tick: () => cell.config.everyMs } }).createMachine({
      initial: 'on',
      states: {
        on: {
          after: {
            tick: {
              target: 'on',
              reenter: true,
              actions: () => {
                const at = Date.now();
                const { target } = cell.config;
                cell.request(target, 'ping').then(
                  () => callLog.push({ target, at, ms: Date.now() - at, ok: true }),
                  (err) => callLog.push({ target, at, ms: Date.now() - at, ok: false, error: err?.name }),
                );
              },
            },
          },
        },
      },
    }),
});

/**
 * The patterns: the fault, the callers, and a reference configuration within the genes' ranges
 * that a person might pick for it (measured live against the defaults).
 */
const PATTERNS = [
  {
    name: 'dead',
    what: 'dependency never answers in time (8 s); 4 callers every 200 ms',
    mode: 'dead',
    callers: { count: 4, everyMs: 200 },
    reference: { 'request.timeoutMs': 400, 'breaker.failureThreshold': 2, 'breaker.resetTimeoutMs': 10_000 },
  },
  {
    name: 'slow',
    what: 'dependency answers in 700 ms; 4 callers every 200 ms',
    mode: 'slow',
    callers: { count: 4, everyMs: 200 },
    reference: { 'request.timeoutMs': 1000, 'stigmergy.avoidStrength': 50 },
  },
  {
    name: 'flaky',
    what: 'dependency hangs 300 ms out of every 1,500 ms; 2 callers every 40 ms',
    mode: 'flaky',
    callers: { count: 2, everyMs: 40 },
    // At the defaults this fault cycles through ~18 s (timeouts, an open circuit, then the marks
    // cutting the dependency off until they expire: see bench/RESULTS.md); windows shorter than
    // that measure one phase of it, and the keep rule follows the phase.
    windowMs: 20_000,
    reference: {
      'request.timeoutMs': 250,
      'breaker.failureThreshold': 20,
      'stigmergy.avoidStrength': 50,
      'stigmergy.markTtlMs': 500,
    },
  },
  {
    name: 'two-deps',
    what: `dep hangs 300 ms out of every 1,500 ms (2 callers every 40 ms); slowdep answers in ${SLOWDEP_MS} ms (2 callers every 40 ms)`,
    mode: 'flaky',
    callers: { count: 2, everyMs: 40 },
    slowCallers: { count: 2, everyMs: 40 },
    windowMs: 20_000,
    // By hand, for the flaky edge only (the same values swarm-wide would cut off every slowdep answer).
    reference: {
      'request.timeoutMs@edge:caller:dep': 250,
      'breaker.failureThreshold@edge:caller:dep': 20,
      'stigmergy.avoidStrength@edge:caller:dep': 50,
    },
  },
  {
    name: 'crash-loop',
    what: 'dependency crashes 300 ms after every start; a watchdog restarts it 5 s after it is given up on; 2 callers every 50 ms',
    mode: 'crash',
    watchdogMs: 5000,
    callers: { count: 2, everyMs: 50 },
    // At the defaults it cycles through ~7 s (six starts of 300 ms, then 5 s given up), and a
    // candidate applied while it is given up waits for the watchdog: 3 s windows measured one phase.
    windowMs: 10_000,
    // Restart at once and never give up (it lives 300 ms a start), and let callers reach it while
    // it is up: the few calls that meet a restart must not mark it avoided (at the defaults the
    // marks cut it off whether or not it is up, and outlast a trial's window).
    reference: {
      'supervision.maxRestarts': 50,
      'supervision.backoffBaseMs': 1,
      'supervision.backoffShape': 1,
      'stigmergy.avoidStrength': 50,
      'stigmergy.markTtlMs': 500,
    },
  },
  {
    name: 'overload',
    what: 'dependency burns 12 ms of event loop per call (both nodes lag); 4 callers every 40 ms',
    mode: 'lag',
    callers: { count: 4, everyMs: 40 },
    reference: { 'request.timeoutMs': 150, 'breaker.failureThreshold': 3, 'breaker.resetTimeoutMs': 1000 },
  },
  {
    name: 'minority',
    what: 'dependency pinned to n3, whose NATS connections go through a proxy cut 6 s of every 20 s (silence, no close); 4 callers every 200 ms on n1 and n2',
    mode: 'ok',
    // Each cut: n3 fenced after 1 s, the dependency re-placed on n1 or n2 after ~1.7 s (calls in
    // between reach only n3's fenced copy); each heal: handed back to n3 ~10 s later (rebalancing
    // waits for 10 s of stable membership), so the 14 s heal leaves it a few seconds at home.
    partition: { cutMs: 6000, healMs: 14_000 },
    callers: { count: 4, everyMs: 200, spread: true },
    // One whole cut/heal cycle per window, wherever it starts.
    windowMs: 20_000,
    reference: {
      'request.timeoutMs': 400,
      'breaker.resetTimeoutMs': 500,
      'stigmergy.avoidStrength': 50,
      'stigmergy.markTtlMs': 500,
    },
  },
];

const storeDir = mkdtempSync(join(tmpdir(), 'hms-bench-selftune-'));
const server = await startNatsServer({ storeDir });
const fmt = (v, d = 3) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
const comp = (m) =>
  m
    ? `${Math.round(m.p99LatencyMs)} ms / ${(m.errorRate * 100).toFixed(1)}% / ${m.resourceUse.toFixed(2)} / ${m.healthyFraction.toFixed(2)}`
    : '-';
const set = (c) =>
  Object.entries(c ?? {})
    .map(([k, v]) => `${k.split('.')[1]}=${geneValueText(k, v)}`)
    .join(' ');

async function runPattern(p, index) {
  fault.mode = 'ok';
  let revived = 0;
  const swarm = `selftune${index}`;
  const definitions = [...builtinCells, depCell, slowDepCell, callerCell];
  const nodes = await startTestNodes(server.url, swarm, ['n1', 'n2'], definitions, { heartbeatMs: 250 });
  const proxy = p.partition ? await startPartitionProxy({ target: server.url }) : null;
  let cycles = null;
  const client = await connectTestTransport(server.url, 'bench');
  const control = createControlClient(client, swarm);
  // The tuner's measuring window: 3 s unless the pattern's fault needs longer to be seen whole.
  const windowMs = p.windowMs ?? 3000;
  const tuner = () =>
    client.request(createSubjects(swarm).cellInbox('tuner'), 'status', undefined, { timeout: 10_000 });
  try {
    await waitFor(async () => (await control.systemStatus()).leader !== null, { what: 'a leader', timeoutMs: 30_000 });
    if (proxy) {
      // Joined once n1 or n2 leads, so the minority is never the leader's side.
      nodes.push(await startReconnectingNode(proxy.url, swarm, 'n3', definitions, { heartbeatMs: 250 }));
    }
    await control.configure({
      'evolution.auto': 1,
      'evolution.autoDropPct': DROP_PCT,
      'evolution.baselineMs': 2 * windowMs + 2000,
      'evolution.cooldownMs': 2000,
      // The defaults' size (2 × 32 for 40): 16 × 20 misses the steady-state model's narrow best region.
      'evolution.autoPopulation': 32,
      'evolution.autoGenerations': 40,
    });
    await control.createAgent({
      type: 'adaptive-config',
      id: 'tuner',
      config: { windowMs, settleMs: 500 },
      node: 'n1',
    });
    await control.createAgent({ type: 'dep', id: 'dep-1', node: proxy ? 'n3' : 'n2' });
    for (let i = 0; i < p.callers.count; i++) {
      await control.createAgent({
        type: 'caller',
        id: `caller-${i}`,
        config: { everyMs: p.callers.everyMs },
        node: p.callers.spread && i % 2 === 1 ? 'n2' : 'n1',
      });
    }
    if (p.slowCallers) {
      await control.createAgent({ type: 'slowdep', id: 'slowdep-1', node: 'n2' });
      for (let i = 0; i < p.slowCallers.count; i++) {
        await control.createAgent({
          type: 'caller',
          id: `slowcaller-${i}`,
          config: { everyMs: p.slowCallers.everyMs, target: 'slowdep-1' },
          node: 'n1',
        });
      }
    }
    if (p.watchdogMs) {
      // Like a process manager above the swarm: a cell given up on is restarted after a while.
      client.subscribe(createSubjects(swarm).eventPattern('cell.escalated'), (m) => {
        if (m.body?.type !== 'dep') return;
        setTimeout(() => {
          revived++;
          control.triggerHeal('dep-1').catch((err) => process.stderr.write(`  watchdog: ${err.message}\n`));
        }, p.watchdogMs);
      });
    }
    await waitFor(async () => (await tuner()).auto.baseline !== null, {
      what: 'a baseline',
      timeoutMs: 40_000 + 2 * windowMs,
      everyMs: 250,
    });
    const healthy = (await tuner()).auto.baseline;
    fault.mode = p.mode;
    const faultAt = Date.now();
    if (proxy) {
      cycles = startPartitionCycles({
        proxy,
        ...p.partition,
        minority: nodes[2].node,
        nodes: nodes.map((n) => n.node),
        cellId: 'dep-1',
      });
    }
    // Self-started evolution: until a kept trial fixes the drop (within evolution.autoDropPct of
    // the healthy baseline), or the drop has had its runs (a kept trial that only partly fixes it
    // is followed by another run: see noteAutoQuiet).
    let kept = null;
    let runTrials = [];
    const saved = new Set();
    const deadline = faultAt + Math.max(AUTO_MS, 12 * windowMs);
    while (Date.now() < deadline) {
      const s = await tuner();
      const run = s.auto.last?.outcome === 'running' ? s.auto.last.run : null;
      if (SAVE_CALIBRATIONS && run && !saved.has(run)) {
        saved.add(run);
        const cal = await client.request(createSubjects(swarm).cellInbox('tuner'), 'calibration', undefined, {
          timeout: 10_000,
        });
        mkdirSync(SAVE_CALIBRATIONS, { recursive: true });
        writeFileSync(join(SAVE_CALIBRATIONS, `${p.name}-${run}.json`), JSON.stringify(cal));
      }
      runTrials = s.trials.filter((t) => t.by.startsWith('run '));
      kept = runTrials.findLast((t) => t.outcome === 'kept') ?? null;
      const fixed = kept !== null && kept.measured.fitness >= healthy * (1 - DROP_PCT / 100);
      if (fixed || (runTrials.length >= 3 && s.state === 'idle')) break;
      await sleep(500);
    }
    const keptAt = kept ? kept.endedAt : null;
    const auto = await tuner();
    const started = auto.auto.last;
    // The reference: back to the defaults, then the reference configuration tried live.
    await control.configure({ 'evolution.auto': 0 });
    await waitFor(async () => (await tuner()).state === 'idle', { what: 'no trial', timeoutMs: 60_000, everyMs: 250 });
    const defaults = defaultConfig();
    // Scoped values (per edge) removed too.
    const { scoped } = await control.systemStatus();
    await control.configure({
      ...Object.fromEntries(SWARM_GENES.map((g) => [g.key, defaults[g.key]])),
      ...Object.fromEntries(Object.keys(scoped ?? {}).map((k) => [k, 'default'])),
    });
    await sleep(windowMs + 7500);
    const ref = await control.evolveApply(p.reference);
    await waitFor(async () => (await tuner()).trials.some((t) => t.id === ref.id && t.outcome !== 'trial'), {
      what: 'the reference measured',
      timeoutMs: 60_000,
      everyMs: 250,
    });
    const reference = (await tuner()).trials.find((t) => t.id === ref.id);
    await cycles?.stop();
    const partition = cycles ? describeCycles(cycles.cycles) : null;
    return { p, healthy, runTrials, kept, faultAt, keptAt, started, reference, model: auto.model, revived, partition };
  } finally {
    fault.mode = 'ok';
    // Healed first, so the minority node stops like the others.
    await cycles?.stop();
    await stopTestNodes(nodes);
    await client.close();
    await proxy?.stop();
  }
}

const results = [];
const loads = [];
for (const [i, p] of PATTERNS.entries()) {
  if (ONLY && !ONLY.includes(p.name)) continue;
  loads.push(loadavg()[0]);
  process.stderr.write(`selftune: ${p.name} (load ${loadavg()[0].toFixed(1)})\n`);
  const r = await runPattern(p, i);
  results.push(r);
  for (const t of r.runTrials) {
    process.stderr.write(
      `  ${t.by}: ${t.outcome} — ${t.reason}; predicted ${fmt(t.predicted?.fitness)}, measured ${fmt(t.measured?.fitness)}; ${set(t.candidate)}\n`,
    );
  }
}
loads.push(loadavg()[0]);
await server.stop();
rmSync(storeDir, { recursive: true, force: true });

const pct = (g) => (g === null ? '-' : `${g >= 0 ? '+' : ''}${(g * 100).toFixed(0)}%`);
const rows = results.map((r) => {
  const defaults = r.runTrials[0]?.baseline ?? null;
  // The last kept trial (the configuration the runs left in force), against the defaults.
  const k = r.kept;
  const from = defaults ?? k?.baseline;
  const gain = k ? k.measured.fitness / from.fitness - 1 : null;
  const refBefore = r.reference?.baseline?.fitness ?? null;
  const refAfter = r.reference?.measured?.fitness ?? null;
  const refGain = refBefore && refAfter ? refAfter / refBefore - 1 : null;
  // Some configuration measured 20% better than the defaults under the fault: the reference, or a trial.
  const better = [
    ...(refGain !== null ? [{ gain: refGain, by: 'reference', candidate: r.p.reference }] : []),
    ...r.runTrials
      .filter((t) => t.measured && t.baseline)
      .map((t) => ({ gain: t.measured.fitness / t.baseline.fitness - 1, by: t.by, candidate: t.candidate })),
  ].sort((a, b) => b.gain - a.gain)[0];
  const pairs = r.runTrials.filter((t) => t.predicted && t.measured);
  return {
    pattern: r.p.name,
    healthy: fmt(r.healthy),
    'defaults (fault)': fmt(defaults?.fitness),
    'defaults → last kept': k ? `${fmt(from.fitness)} → ${fmt(k.measured.fitness)} (${pct(gain)})` : 'none kept',
    'latency / errors / resources / health': k
      ? `${comp(from.measures)} → ${comp(k.measured.measures)}`
      : comp(defaults?.measures),
    'runs (outcomes)': r.runTrials.map((t) => t.outcome).join(', ') || 'none started',
    'predicted / measured':
      pairs.map((t) => `${fmt(t.predicted.fitness)}/${fmt(t.measured.fitness)}`).join(', ') || '-',
    'fault → kept': r.keptAt ? `${((r.keptAt - r.faultAt) / 1000).toFixed(0)} s` : '-',
    'reference live vs defaults': `${fmt(refBefore)} → ${fmt(refAfter)} (${pct(refGain)})`,
    '20% better exists?': better && better.gain >= 0.2 ? `yes (${better.by}, ${pct(better.gain)})` : 'none found',
    kept: k ? set(k.candidate) : '-',
  };
});
printTable(
  `selftune — load average ${loads.map((l) => l.toFixed(1)).join(' → ')}; nats-server JetStream with its default sync (sync_interval 2 min)`,
  rows,
);
const errors = results.flatMap((r) => r.runTrials).filter((t) => t.predicted && t.measured);
const mae = errors.length
  ? errors.reduce((s, t) => s + Math.abs(t.measured.fitness - t.predicted.fitness), 0) / errors.length
  : null;
console.log(
  `\nmodel prediction error over all measured trials: ${fmt(mae)} (mean |measured − predicted| fitness, ${errors.length} trials)`,
);
for (const r of results) {
  console.log(
    `${r.p.name}: reference ${set(r.p.reference)}; model ${JSON.stringify(r.model)}${r.p.watchdogMs ? `; watchdog restarts ${r.revived}` : ''}${r.partition ? `; partition: ${r.partition}` : ''}`,
  );
}
// Per edge, for the patterns with two dependencies: each trial's windows before and after, per callee.
const edgeRows = results
  .filter((r) => r.p.slowCallers)
  .flatMap((r) =>
    [...r.runTrials, ...(r.reference ? [{ ...r.reference, by: 'reference' }] : [])]
      .filter((t) => t.baseline && t.measured)
      .flatMap((t) =>
        ['dep-1', 'slowdep-1'].map((target) => {
          const before = edgeFigures(target, t.baseline.from, t.baseline.to);
          const after = edgeFigures(target, t.measured.from, t.measured.to);
          const f = (e) => (e ? `${e.p99} ms / ${(e.errors * 100).toFixed(1)}% (${e.calls})` : '-');
          return {
            pattern: r.p.name,
            trial: `${t.by}: ${t.outcome}`,
            edge: `caller → ${target.replace(/-1$/, '')}`,
            'p99 / errors (calls) before': f(before),
            after: f(after),
            set: set(t.candidate),
          };
        }),
      ),
  );
// Why the calls failed, for the partition patterns: the windows each trial was judged on.
for (const r of results.filter((x) => x.p.partition)) {
  for (const t of [...r.runTrials, ...(r.reference ? [{ ...r.reference, by: 'reference' }] : [])]) {
    if (!t.baseline || !t.measured) continue;
    console.log(
      `${r.p.name} ${t.by} (${t.outcome}): failed calls to dep-1 before: ${errorKinds('dep-1', t.baseline.from, t.baseline.to)}; after: ${errorKinds('dep-1', t.measured.from, t.measured.to)}`,
    );
  }
}
if (edgeRows.length > 0)
  printTable('selftune — per edge, measured by the callers (the windows the keep rule judged)', edgeRows);
process.exit(0);
