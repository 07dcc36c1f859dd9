#!/usr/bin/env node
// `npm run chaos -- --seeds N --minutes M [--seed S] [--fault-seconds F] [--kinds a,b] [--keep]`:
// runs seeds S, S+1, … (default S = the time) on a 3-server, 5-node swarm in network namespaces,
// each with F seconds of seeded faults (default 60), until N seeds have run or M minutes have
// passed, whichever comes first (N alone: N seeds; M alone: as many as fit). Prints one line per
// seed and a summary; a failing seed prints the command that replays its schedule. Needs root.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const bad = (line) => {
  process.stderr.write(`chaos: ${line}\n`);
  process.exit(2);
};
const num = (name, fallback) => {
  const v = opt(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) bad(`--${name} must be a whole number, got ${v}`);
  return n;
};
const seeds = num('seeds', undefined);
const minutes = num('minutes', undefined);
const first = num('seed', Date.now() % 1_000_000);
const faultSeconds = num('fault-seconds', 60);
const kinds = opt('kinds')?.split(',');
const keep = args.includes('--keep');
if (seeds === undefined && minutes === undefined && opt('seed') === undefined)
  bad('give --seeds N, --minutes M or --seed S');
if (process.getuid?.() !== 0) bad('needs root (network namespaces, iptables)');

if (spawnSync(process.execPath, [join(root, 'scripts/setup.mjs'), '--quiet'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);
const jiti = createJiti(import.meta.url);
const { runSeed, stopRunningSwarm } = await jiti.import(join(root, 'packages/cli/test/chaos/run-seed.ts'));
const { describeFault } = await jiti.import(join(root, 'packages/cli/test/chaos/fault-schedule.ts'));

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('chaos: interrupted, cleaning up\n');
  stopRunningSwarm().finally(() => process.exit(130));
});

const replay = (seed) =>
  `npm run chaos -- --seed ${seed} --fault-seconds ${faultSeconds}${kinds ? ` --kinds ${kinds.join(',')}` : ''} --keep`;
const started = Date.now();
const count = seeds ?? (minutes === undefined ? 1 : Number.POSITIVE_INFINITY);
const results = [];
for (let seed = first; results.length < count; seed++) {
  if (minutes !== undefined && Date.now() - started > minutes * 60_000) break;
  let r;
  try {
    r = await runSeed({ seed, faultMs: faultSeconds * 1000, keepDir: keep, ...(kinds ? { kinds } : {}) });
  } catch (err) {
    r = {
      seed,
      faults: [],
      operations: { ok: 0, fail: 0, info: 0 },
      violations: [{ kind: 'run-failed', subject: '', detail: String(err) }],
      wallMs: 0,
      recoveryMs: 0,
    };
  }
  results.push(r);
  const o = r.operations;
  console.log(
    `seed ${seed}: ${r.faults.length} faults, ${o.ok + o.fail + o.info} operations (${o.ok} ok, ${o.fail} failed, ${o.info} unknown), recovery ${(r.recoveryMs / 1000).toFixed(1)} s, ${r.violations.length} violations (${(r.wallMs / 1000).toFixed(0)} s)`,
  );
  for (const f of r.faults) if (args.includes('--verbose')) console.log(`  ${describeFault(f)}`);
  if (r.violations.length > 0) {
    for (const v of r.violations) console.log(`  VIOLATION ${v.kind} ${v.subject}: ${v.detail}`);
    if (r.dir) console.log(`  records: ${r.dir}`);
    console.log(`  replay: ${replay(seed)}`);
  }
}
const sum = (f) => results.reduce((a, r) => a + f(r), 0);
const byKind = {};
for (const r of results) for (const f of r.faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
console.log(
  `chaos: ${results.length} seeds (${results[0]?.seed}–${results.at(-1)?.seed}) in ${((Date.now() - started) / 60_000).toFixed(1)} min, ` +
    `${sum((r) => r.faults.length)} faults (${Object.entries(byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}), ` +
    `${sum((r) => r.operations.ok + r.operations.fail + r.operations.info)} operations (${sum((r) => r.operations.ok)} ok), ` +
    `max recovery ${(Math.max(0, ...results.map((r) => r.recoveryMs)) / 1000).toFixed(1)} s, ${sum((r) => r.violations.length)} violations`,
);
process.exit(results.some((r) => r.violations.length > 0) ? 1 : 0);
