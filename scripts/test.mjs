#!/usr/bin/env node
// `npm test`: set-up, the Rust crates' tests, then every vitest test; ends with one line
// `N passed, N failed` that counts them all. `--smoke`: set-up and SMOKE only (no cargo), the
// subset .ci/run runs on the oldest supported Node line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useSupportedNode } from './node-binary.mjs';

// On a system Node older than 22 this runs again, whole, on the Node the set-up fetches.
await useSupportedNode();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const extra = process.argv.slice(2).filter((a) => a !== '--smoke');

/**
 * The smoke subset: the runtime's unit tests (cells, codecs, election, the native addon), one
 * integration file per package over a real nats-server (a node host; the hms CLI and the NATS
 * CLI's README lines). About a minute on 2 cores.
 */
const SMOKE = [
  ...readdirSync(join(root, 'packages/runtime/test'), { recursive: true })
    .filter((f) => f.endsWith('.test.ts') && !f.startsWith('integration'))
    .map((f) => join('packages/runtime/test', f)),
  'packages/runtime/test/integration/node-host.test.ts',
  'packages/cli/test/integration/readme-nats-cli.test.ts',
];

const setup = spawnSync(process.execPath, [join(root, 'scripts/setup.mjs')], { cwd: root, stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);

let passed = 0;
let failed = 0;

if (!smoke) {
  const cargo = spawnSync('cargo', ['test', '--workspace', '--release', '--color', 'never'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(cargo.stdout ?? '');
  for (const m of (cargo.stdout ?? '').matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (cargo.status !== 0 && failed === 0) failed += 1;
}

const out = mkdtempSync(join(tmpdir(), 'hms-vitest-'));
const report = join(out, 'report.json');
// vitest on this Node (its bin's `#!/usr/bin/env node` could find another); the processes tests
// start run on process.execPath, so they do too.
const vitest = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...(smoke ? SMOKE : []),
    ...extra,
  ],
  // HMS_STEADY_WATCH: the whole suite's steady watch (packages/cli/test/fixtures/steady-swarm-setup.ts).
  { cwd: root, stdio: 'inherit', env: smoke ? process.env : { ...process.env, HMS_STEADY_WATCH: '1' } },
);
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A file that failed to load has no tests counted; count it as one failure.
  failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  // Each failure once more, by name, just before the count: a long log's tail still names them.
  for (const file of r.testResults) {
    const name = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
    const tests = file.assertionResults.filter((t) => t.status === 'failed');
    if (file.status === 'failed' && tests.length === 0)
      console.log(`FAILED ${name}: ${file.message || 'did not load'}`);
    for (const t of tests) console.log(`FAILED ${name} > ${t.fullName}`);
  }
} catch {
  failed += 1;
}
if (vitest.status !== 0 && failed === 0) failed += 1;
rmSync(out, { recursive: true, force: true });

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
