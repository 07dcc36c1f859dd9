#!/usr/bin/env node
// Builds the start-up snapshot of `hms`'s quick commands (bin/hms.js, src/quick-main.ts), after tsc:
//   dist/quick/hms.cjs    dist/quick-main.js and everything it imports, bundled into one script
//                         (a snapshot holds one file of user code);
//   dist/quick/hms.blob   a V8 start-up snapshot of that script evaluated;
//   dist/quick/node       which Node binary built it: the blob loads only in that one.
// bin/hms.js starts a quick command from the blob when `node` on PATH is a path listed in
// dist/quick/node, of the size and modification time listed there; otherwise it runs dist/bin.js. A
// Node that cannot build the snapshot leaves only a warning: hms then always takes dist/bin.js.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(cli, 'dist', 'quick');
const script = join(out, 'hms.cjs');
const blob = join(out, 'hms.blob');
const stamp = join(out, 'node');

/** Command modules the snapshot leaves out: they host nodes, load plugins or run until stopped. */
const SLOW_COMMAND = /^\.\/commands\/(up|down|dashboard|plugin|security|service|sub|monitor|decode|evolve)\.js$/;
/** Packages only the commands left out use (the whole runtime, the agents, the native decoder). */
const LEFT_OUT = new Set(['@hms/runtime', '@hms/agents', 'msgpackr-extract']);

/**
 * `node:tls` cannot be part of a snapshot (V8 meets a native reference it cannot serialise), and
 * the NATS client requires it at its top level. The bundle gets a stand-in that requires it on
 * first use. Before that no TLS socket can exist, so `socket instanceof TLSSocket` is false
 * without loading it (the client asks that of every connection).
 */
const LAZY_TLS = `
let tls;
const load = () => (tls ??= require('tls'));
const none = class { static [Symbol.hasInstance]() { return false; } };
module.exports = new Proxy({}, { get: (_, key) => (tls === undefined && key === 'TLSSocket' ? none : load()[key]) });
`;
const lazyTls = {
  name: 'lazy-tls',
  resolveId: (id) => (id === 'node:tls' ? '\0lazy-tls' : undefined),
  load: (id) => (id === '\0lazy-tls' ? LAZY_TLS : undefined),
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  input: join(cli, 'dist', 'quick-main.js'),
  platform: 'node',
  plugins: [lazyTls],
  external: (id) => LEFT_OUT.has(id) || SLOW_COMMAND.test(id),
  logLevel: 'warn',
  output: {
    file: script,
    format: 'cjs',
    codeSplitting: false,
    sourcemap: false,
    // Without whitespace and comments the snapshot holds less source text; names stay, for stacks.
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  },
});

const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', script], {
  cwd: out,
  env: { ...process.env, MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' },
  encoding: 'utf8',
});
if (built.status !== 0 || !existsSync(blob)) {
  rmSync(blob, { force: true });
  process.stderr.write(
    `@hms/cli: no start-up snapshot with Node ${process.version} (hms runs unbundled): ${(built.stderr || `exit ${built.status}`).trim().split('\n')[0]}\n`,
  );
  process.exit(0);
}

// The names `node` on PATH has here for this very binary (a symlink counts: bin/hms.js compares
// the modification time of what it points to), and the binary's own path.
const names = new Set([process.execPath]);
for (const dir of (process.env.PATH ?? '').split(delimiter)) {
  const candidate = join(dir, 'node');
  try {
    if (dir !== '' && realpathSync(candidate) === realpathSync(process.execPath)) names.add(candidate);
  } catch {}
}
// First line: the binary's size and modification time (s), as `stat -L -c '%s %Y'` prints them.
const { size, mtimeMs } = statSync(process.execPath);
writeFileSync(stamp, `${size} ${Math.floor(mtimeMs / 1000)}\n${[...names].join('\n')}\n`);
