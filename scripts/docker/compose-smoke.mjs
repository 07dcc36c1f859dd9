// The Compose smoke test of `npm run test:docker`: docker-compose.yml (plus the override of local
// images) brought up, then what a user would check with the `hms` CLI from the host:
//   1. `hms agent list` shows cells on all three node containers;
//   2. `docker kill` of a node container: each of its cells answers on another node, count intact;
//   3. `docker compose down` then `up`: every cell is back with its count.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../node-binary.mjs';

const NODES = ['node-1', 'node-2', 'node-3'];
const COUNTERS = Array.from({ length: 9 }, (_, i) => `dk-counter-${i + 1}`);

/** Runs `hms <args> --json` against the swarm; resolves with the parsed output or rejects with stderr. */
function hmsJson(natsUrl, args, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'packages/cli/dist/bin.js'), '--nats', natsUrl, ...args, '--json'],
      { timeout: timeoutMs, env: { ...process.env, HMS_SWARM: 'default' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`hms ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

/** Polls `check` (resolving to true when done) until it is, or throws naming `what`. */
async function waitFor(what, check, timeoutMs) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await check()) return Date.now() - start;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${last.message})` : ''}`);
}

/**
 * Runs the three checks; `compose(args)` runs docker-compose with the test's files and project,
 * `composeOut(args)` returns its stdout, `docker(args)` runs the Docker client.
 * @returns {Promise<string[]>} one line per check, with what it measured
 */
export async function composeSmoke({ compose, composeOut, docker, natsUrl, say }) {
  const report = [];
  const hms = (...args) => hmsJson(natsUrl, args);
  const nodesAlive = async (names) => {
    const nodes = await hms('node', 'list');
    return names.every((n) => nodes.some((p) => p.node === n && p.status === 'alive'));
  };
  const agents = async () => new Map((await hms('agent', 'list')).map((a) => [a.id, a]));
  const count = async (id) => (await hms('agent', 'call', id, 'get')).count;
  const expected = new Map();
  const countsIntact = async (ids) => {
    for (const id of ids) if ((await count(id)) !== expected.get(id)) return false;
    return true;
  };

  say('compose up (3 NATS servers in a JetStream cluster, 3 HMS nodes)');
  compose(['up', '-d', '--no-build']);
  const upMs = await waitFor('three nodes alive', () => nodesAlive(NODES), 180_000);
  say(`three nodes alive after ${upMs} ms`);
  for (const [i, id] of COUNTERS.entries()) {
    await hms('agent', 'create', 'counter', '--id', id);
    await hms('agent', 'call', id, 'increment', JSON.stringify({ by: 10 + i }));
    expected.set(id, 10 + i);
  }
  const placed = await agents();
  const hosts = new Set(COUNTERS.map((id) => placed.get(id)?.node));
  if (!NODES.every((n) => hosts.has(n)))
    throw new Error(`hms agent list: the counters are on ${[...hosts].join(', ')}, not on all of ${NODES.join(', ')}`);
  report.push(
    `agent list: ${placed.size} cells, counters on ${NODES.map((n) => `${n} ${COUNTERS.filter((id) => placed.get(id).node === n).length}`).join(', ')}`,
  );

  const victim = NODES.find((n) => COUNTERS.some((id) => placed.get(id).node === n));
  const moved = COUNTERS.filter((id) => placed.get(id).node === victim);
  const container = composeOut(['ps', '-q', victim]).trim();
  say(`docker kill ${victim} (${moved.length} counters: ${moved.join(', ')})`);
  docker(['kill', container]);
  const failoverMs = await waitFor(
    `${victim}'s counters answering on another node with their counts`,
    async () => {
      const now = await agents();
      return (
        moved.every((id) => now.get(id)?.node !== victim && now.get(id)?.status === 'running') &&
        (await countsIntact(moved))
      );
    },
    120_000,
  );
  const after = await agents();
  const running = docker(['inspect', '-f', '{{.State.Running}}', container], true).trim();
  report.push(
    `docker kill ${victim}: its ${moved.length} counters answered on ${[...new Set(moved.map((id) => after.get(id).node))].join(', ')} with their counts after ${failoverMs} ms (container running afterwards: ${running})`,
  );
  for (const id of COUNTERS) {
    await hms('agent', 'call', id, 'increment', JSON.stringify({ by: 1 }));
    expected.set(id, expected.get(id) + 1);
  }
  compose(['start', victim]);
  await waitFor(`${victim} back`, () => nodesAlive(NODES), 120_000);

  say('compose down (volumes kept), then up');
  compose(['down']);
  compose(['up', '-d', '--no-build']);
  const restartMs = await waitFor(
    'every counter back with its count after down and up',
    async () => {
      const now = await agents();
      return (
        (await nodesAlive(NODES)) &&
        COUNTERS.every((id) => now.get(id)?.status === 'running') &&
        (await countsIntact(COUNTERS))
      );
    },
    180_000,
  );
  report.push(`compose down, up: all ${COUNTERS.length} counters back with their counts after ${restartMs} ms`);
  return report;
}
