#!/usr/bin/env node
// `npm run bench -- <name>`: runs bench/<name>.mjs (default: all of them, one after another).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useSupportedNode } from '../scripts/node-binary.mjs';

await useSupportedNode({ quiet: true });

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace('.bench.mjs', ''));
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !available.includes(a));
if (unknown.length) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (available: ${available.join(', ')})\n`);
  process.exit(2);
}
// Every benchmark's figures depend on how JetStream writes: say it once, above the tables. The
// benchmarks start nats-server with `-js` and no configuration (the soak bench too), so the
// server's default applies: each write is acknowledged once in the OS page cache and fsynced
// every 2 minutes (an acknowledged write survives a process kill, not a power cut); the chaos
// suite and docker-compose use `sync_interval: always` instead.
const { natsServerBinary } = await import('@hms/runtime');
const server = spawnSync(natsServerBinary(), ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'nats-server ?';
console.log(`${server}; JetStream sync: the server's default (fsync every 2 min, writes acked from the page cache)`);
for (const name of asked.length ? asked : available) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.bench.mjs`)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
