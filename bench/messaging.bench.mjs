#!/usr/bin/env node
// Request/reply latency and one-way event throughput, side by side in one run against the same
// nats-server: (a) the raw NATS JS client, (b) HMS cell to cell, (c) Moleculer's NATS transporter.
// BENCH_ROUNDS rounds (default 3) run every system in turn; the table shows each figure's median
// over the rounds, so a burst of load on a shared machine does not land on one system only.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CellRegistry,
  connectTransport,
  createSilentLogger,
  createSubjects,
  defineCell,
  getCodec,
  startCell,
  startNatsServer,
  systemClock,
} from '@hms/runtime';
import { connect, headers } from '@nats-io/transport-node';
import { ServiceBroker } from 'moleculer';
import { assign, setup } from 'xstate';
import { percentile, printTable } from './stats.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const WARMUP = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The longest an event run may take: a server that drops events to a slow consumer ends it. */
const EVENTS_DEADLINE_MS = 60_000;
const payload = { seq: 0, data: 'x'.repeat(64) };

const storeDir = mkdtempSync(join(tmpdir(), 'hms-bench-'));
const server = await startNatsServer({ storeDir });
const url = server.url;

async function latency(requestOnce) {
  for (let i = 0; i < WARMUP; i++) await requestOnce(i);
  const samples = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    await requestOnce(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function throughput(sendAll, c) {
  const t0 = process.hrtime.bigint();
  await sendAll();
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, EVENTS_DEADLINE_MS);
  });
  await Promise.race([c.done, late]);
  clearTimeout(timer);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (c.count() < EVENTS) console.error(`${EVENTS - c.count()} of ${EVENTS} events never arrived (slow consumer?)`);
  return c.count() / seconds;
}

function counter() {
  let n = 0;
  let resolve;
  const done = new Promise((r) => {
    resolve = r;
  });
  return {
    done,
    count: () => n,
    hit() {
      if (++n === EVENTS) resolve();
    },
  };
}

/** The raw client; with `withHeaders`, every message also carries and reads HMS's four headers. */
async function rawNats(withHeaders = false) {
  const codec = getCodec('msgpack');
  const h = headers();
  for (const [k, v] of [
    ['hms-type', 'bench.evt'],
    ['hms-from', 'source-1'],
    ['hms-v', '1'],
    ['Content-Type', 'application/msgpack'],
  ])
    h.set(k, v);
  const opts = withHeaders ? { headers: h } : undefined;
  const read = withHeaders
    ? (m) => m.headers.get('hms-type') && m.headers.get('hms-from') && m.headers.get('Content-Type')
    : () => true;
  const a = await connect({ servers: url });
  const b = await connect({ servers: url });
  a.subscribe('bench.echo', {
    callback: (_e, m) => {
      read(m);
      m.respond(codec.encode(codec.decode(m.data)), opts);
    },
  });
  await a.flush();
  const lat = await latency((i) =>
    b.request('bench.echo', codec.encode({ ...payload, seq: i }), { timeout: 5000, ...opts }).then((m) => {
      read(m);
      return codec.decode(m.data);
    }),
  );
  const c = counter();
  a.subscribe('bench.evt', {
    callback: (_e, m) => {
      read(m);
      codec.decode(m.data);
      c.hit();
    },
  });
  await a.flush();
  const rate = await throughput(async () => {
    for (let i = 0; i < EVENTS; i++) b.publish('bench.evt', codec.encode({ ...payload, seq: i }), opts);
    await b.flush();
  }, c);
  await a.close();
  await b.close();
  return { ...lat, rate };
}

async function hms() {
  const swarm = 'bench';
  const subjects = createSubjects(swarm);
  const logger = createSilentLogger();
  const ta = await connectTransport({ servers: url, from: 'node-a', logger });
  const tb = await connectTransport({ servers: url, from: 'node-b', logger });
  const c = counter();
  const echo = defineCell({
    type: 'echo',
    description: 'answers with the body it got',
    topics: () => [{ event: 'bench.evt' }],
    machine: () =>
      setup({ types: { context: {} } }).createMachine({
        context: { last: null, events: 0 },
        on: {
          echo: { actions: assign({ last: ({ event }) => event }) },
          'bench.evt': { actions: [assign({ events: ({ context }) => context.events + 1 }), () => c.hit()] },
        },
      }),
    reply: (s) => s.context.last,
  });
  const registry = new CellRegistry([echo]);
  const common = { node: 'n', subjects, logger, clock: systemClock, onCrash: () => {} };
  const echoCell = startCell({ ...common, definition: registry.get('echo'), id: 'echo-1', config: {}, transport: ta });
  // The sending side is a cell too; its CellContext is what a machine's actors would use.
  let ctx;
  const source = defineCell({
    type: 'source',
    description: 'sends requests and events',
    machine: (cell) => {
      ctx = cell;
      return setup({}).createMachine({});
    },
  });
  const src = startCell({ ...common, definition: source, id: 'source-1', config: {}, transport: tb });
  await ta.flush();
  const lat = await latency((i) => ctx.request('echo-1', 'echo', { ...payload, seq: i }));
  const rate = await throughput(async () => {
    for (let i = 0; i < EVENTS; i++) ctx.publish('bench.evt', { ...payload, seq: i });
    await tb.flush();
  }, c);
  await echoCell.stop();
  await src.stop();
  await ta.close();
  await tb.close();
  return { ...lat, rate };
}

async function moleculer() {
  const c = counter();
  const opts = (nodeID) => ({ nodeID, namespace: 'bench', transporter: url, logger: false, serializer: 'Notepack' });
  const a = new ServiceBroker(opts('mol-a'));
  const b = new ServiceBroker(opts('mol-b'));
  a.createService({
    name: 'echo',
    actions: { echo: (ctx) => ctx.params },
    events: { 'bench.evt': () => c.hit() },
  });
  await a.start();
  await b.start();
  await b.waitForServices('echo');
  const lat = await latency((i) => b.call('echo.echo', { ...payload, seq: i }));
  const rate = await throughput(async () => {
    for (let i = 0; i < EVENTS; i++) b.emit('bench.evt', { ...payload, seq: i });
  }, c);
  await b.stop();
  await a.stop();
  return { ...lat, rate };
}

const systems = {
  'raw NATS (@nats-io/transport-node)': () => rawNats(),
  'raw NATS + the 4 HMS headers': () => rawNats(true),
  'HMS cell to cell': () => hms(),
  'Moleculer (NATS transporter)': () => moleculer(),
};
const rounds = Object.fromEntries(Object.keys(systems).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(systems)) rounds[name].push(await run());
}
const median = (xs) => percentile([...xs], 0.5);
const results = Object.fromEntries(
  Object.entries(rounds).map(([name, rs]) => [
    name,
    { p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), rate: median(rs.map((r) => r.rate)) },
  ]),
);
await server.stop();
rmSync(storeDir, { recursive: true, force: true });

const raw = results['raw NATS (@nats-io/transport-node)'];
printTable(
  `messaging — medians of ${ROUNDS} rounds; per round ${REQUESTS} sequential requests, ${EVENTS} one-way events of ~80 bytes, one nats-server on loopback (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.versions.node})`,
  Object.entries(results).map(([name, r]) => ({
    system: name,
    'p50 µs': r.p50.toFixed(0),
    'p99 µs': r.p99.toFixed(0),
    'p50 vs raw': `${(r.p50 / raw.p50).toFixed(2)}×`,
    'events/s': Math.round(r.rate).toLocaleString('en-US'),
    'throughput vs raw': `${((r.rate / raw.rate) * 100).toFixed(0)}%`,
  })),
);
process.exit(0);
