// What the container path of the test fixture costs a test: round trips to a nats-server on the
// host (the fixture's usual path) next to the same server in the hms-nats:local container, reached
// through the port Docker publishes (docker-proxy, a user-space copy of every byte: the address
// testcontainers gives) and through the container's own address on the bridge. Core request-reply
// (one responder) and JetStream KV puts, in rounds that alternate the paths so the machine's load
// falls on all of them alike; the medians of the rounds, with ratios to the host's server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { root } from '../node-binary.mjs';
import { DOCKER } from './engine.mjs';

const ROUNDS = 3;
const REQUESTS = 1000;
const PUTS = 300;

const docker = (args) => {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
};

const quantile = (samples, q) => {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => quantile(xs, 0.5);

/** True when a TCP connection to host:port opens within a second. */
function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Starts `image -js` with 4222 published; resolves once the server says it is ready. */
async function startContainer(image) {
  const id = docker(['run', '-d', '--rm', '-p', '127.0.0.1::4222', image, '-js']);
  const deadline = Date.now() + 30_000;
  while (!/Server is ready/.test(spawnSync(DOCKER, ['logs', id], { encoding: 'utf8' }).stderr ?? '')) {
    if (Date.now() > deadline) throw new Error(`the ${image} container did not say it was ready within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const published = docker(['port', id, '4222/tcp']).split('\n')[0];
  const ip = docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id]);
  return { id, published: `nats://${published}`, bridge: `nats://${ip}:4222` };
}

/** One round on `url`: request-reply and KV-put latencies in ms. */
async function measure(url) {
  const server = await connect({ servers: url });
  const client = await connect({ servers: url });
  const sub = server.subscribe('bench.echo', { callback: (_err, msg) => msg.respond(msg.data) });
  await server.flush();
  const payload = new Uint8Array(128);
  const requests = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await client.request('bench.echo', payload, { timeout: 5000 });
    requests.push(performance.now() - t);
  }
  sub.unsubscribe();
  const kv = await new Kvm(client).create(`bench-path-${Date.now()}`, { history: 1 });
  const puts = [];
  for (let i = 0; i < PUTS; i++) {
    const t = performance.now();
    await kv.put(`k${i % 20}`, payload);
    puts.push(performance.now() - t);
  }
  await kv.destroy();
  await client.close();
  await server.close();
  return { requests, puts };
}

/**
 * Runs the comparison on `image` (the engine must answer); returns the table's lines.
 * @returns {Promise<string[]>}
 */
export async function natsPathLatency(image) {
  const { startNatsServer } = await import(pathToFileURL(join(root, 'packages/runtime/dist/index.js')).href);
  const storeDir = mkdtempSync(join(tmpdir(), 'hms-nats-path-'));
  const local = await startNatsServer({ storeDir });
  const container = await startContainer(image);
  const paths = [
    ['host nats-server (127.0.0.1)', local.url],
    ['container, published port (docker-proxy)', container.published],
  ];
  // An engine elsewhere (a VM, rootless) has a bridge this machine does not route to.
  const [bridgeHost, bridgePort] = container.bridge.slice('nats://'.length).split(':');
  const bridgeReachable = await reachable(bridgeHost, Number(bridgePort));
  if (bridgeReachable) paths.push(['container, bridge address', container.bridge]);
  const rounds = new Map(paths.map(([name]) => [name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts on another path, so none always runs first (or last).
      for (let k = 0; k < paths.length; k++) {
        const [name, url] = paths[(round + k) % paths.length];
        const { requests, puts } = await measure(url);
        rounds.get(name).push({
          reqP50: quantile(requests, 0.5),
          reqP99: quantile(requests, 0.99),
          putP50: quantile(puts, 0.5),
          putP99: quantile(puts, 0.99),
        });
      }
    }
  } finally {
    spawnSync(DOCKER, ['rm', '-f', container.id], { stdio: 'ignore' });
    await local.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
  const row = (name) => {
    const r = rounds.get(name);
    return Object.fromEntries(['reqP50', 'reqP99', 'putP50', 'putP99'].map((k) => [k, median(r.map((x) => x[k]))]));
  };
  const base = row(paths[0][0]);
  const lines = [
    `${REQUESTS} requests and ${PUTS} KV puts per path and round, ${ROUNDS} rounds; medians of the rounds, ms (ratio to the host's server)`,
    '| path | request p50 | request p99 | KV put p50 | KV put p99 |',
    '|---|---|---|---|---|',
  ];
  for (const [name] of paths) {
    const r = row(name);
    const cell = (k) => `${r[k].toFixed(3)} (${(r[k] / base[k]).toFixed(2)}×)`;
    lines.push(`| ${name} | ${cell('reqP50')} | ${cell('reqP99')} | ${cell('putP50')} | ${cell('putP99')} |`);
  }
  if (!bridgeReachable) lines.push(`(the container's bridge address ${container.bridge} is not reachable from here)`);
  return lines;
}
