#!/usr/bin/env node
// Builds and packs the publishable packages into one directory, as `npm publish` would upload
// them: @hms/native-<platform> (the prebuilt addon of this machine), @hms/native (loader, types
// and the Rust sources for a build from source), @hms/runtime, @hms/agents and @hms/cli.
//
//   npm run pack [-- --out DIR] [-- --no-build]
//
// Prints one line per tarball (name, file, bytes) and writes DIR/packs.json with the same list.
// DIR defaults to .hms/packs. Files it stages for packing (LICENSE copies, native/napi/rust,
// the platform package's .node) are build output and ignored by git.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = resolve(outIndex >= 0 ? (args[outIndex + 1] ?? '') : join(root, '.hms', 'packs'));
const napiDir = join(root, 'native', 'napi');

/** Prints one line and exits 1. */
function fail(line) {
  process.stderr.write(`pack: ${line}\n`);
  process.exit(1);
}

/** Runs a command in `cwd`; returns its stdout, or fails with its output. */
function run(cmd, cmdArgs, cwd = root) {
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) fail(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status}) in ${cwd}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

if (!args.includes('--no-build')) run(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet']);
if (!existsSync(join(root, 'packages', 'cli', 'dist', 'bin.js'))) fail('not built: run npm run build first');

// The platform packages (napi-rs's npm/<platform>): only those whose binary was built here.
const platforms = readdirSync(join(napiDir, 'npm')).filter((p) => existsSync(join(napiDir, `hms-native.${p}.node`)));
if (platforms.length === 0) fail('no native binary in native/napi: run npm run build first');
// What `napi artifacts` does for a local build, without its rewrite of index.js in place (other
// processes may be loading it while this runs, e.g. tests in parallel).
for (const p of platforms)
  cpSync(join(napiDir, `hms-native.${p}.node`), join(napiDir, 'npm', p, `hms-native.${p}.node`));

// The Rust sources of the addon, laid out so the binding crate's `../detect` and `../ga` paths
// hold, with the workspace's lock file and release profile.
const rust = join(napiDir, 'rust');
rmSync(rust, { recursive: true, force: true });
const crates = {
  napi: ['Cargo.toml', 'build.rs', 'src'],
  detect: ['Cargo.toml', 'src', 'benches'],
  ga: ['Cargo.toml', 'src', 'benches'],
};
for (const [crate, entries] of Object.entries(crates)) {
  for (const entry of entries)
    cpSync(join(root, 'native', crate, entry), join(rust, crate, entry), { recursive: true });
}
cpSync(join(root, 'Cargo.lock'), join(rust, 'Cargo.lock'));
writeFileSync(
  join(rust, 'Cargo.toml'),
  '[workspace]\nresolver = "2"\nmembers = ["detect", "ga", "napi"]\n\n[profile.release]\nlto = true\ncodegen-units = 1\n',
);

const packageDirs = [
  ...platforms.map((p) => join(napiDir, 'npm', p)),
  napiDir,
  join(root, 'packages', 'runtime'),
  join(root, 'packages', 'agents'),
  join(root, 'packages', 'cli'),
];
mkdirSync(out, { recursive: true });
const packs = [];
for (const dir of packageDirs) {
  cpSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], dir));
  const file = join(out, info.filename);
  packs.push({ name: info.name, version: info.version, file, bytes: statSync(file).size, entries: info.entryCount });
}
writeFileSync(join(out, 'packs.json'), `${JSON.stringify(packs, null, 2)}\n`);
for (const p of packs) process.stdout.write(`${p.name}@${p.version}  ${p.file}  ${p.bytes} bytes\n`);
