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
for (const name of asked.length ? asked : available) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.bench.mjs`)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
