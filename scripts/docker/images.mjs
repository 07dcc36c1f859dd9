// The images of `npm run test:docker`, built on this machine (no registry is needed):
//   hms-nats:local       a static nats-server FROM scratch (docker/nats.Dockerfile)
//   hms-debian:bookworm  Debian 12 from Debian's packages (mmdebstrap), `docker import`ed
//   hms-node-base:local  that plus Node of the current LTS line and npm (docker/node-base.Dockerfile)
//   hms-node:local       docker/node.Dockerfile on hms-node-base:local, built by Compose
// What needs no engine (the binary, Node and npm) is prepared first and cached in .hms/docker;
// the root filesystem only when the engine has no image of it.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { ensureNodeBinary, LTS_LINE, root } from '../node-binary.mjs';
import { DOCKER } from './engine.mjs';

export const IMAGES = {
  nats: 'hms-nats:local',
  debian: 'hms-debian:bookworm',
  nodeBase: 'hms-node-base:local',
  node: 'hms-node:local',
};

const work = join(root, '.hms', 'docker');
// libatomic1: the npm registry's Node binaries link it (the official node images carry it too).
const DEBIAN_PACKAGES = ['ca-certificates', 'libatomic1'];
const DEBIAN_MIRRORS = [
  'deb http://deb.debian.org/debian bookworm main',
  'deb http://deb.debian.org/debian bookworm-updates main',
  'deb http://deb.debian.org/debian-security bookworm-security main',
];

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r;
}

const versionOf = (binary) =>
  /v(\d+\.\d+\.\d+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? null;

/** The nats-server release scripts/setup.mjs built into .hms/bin, else the one on PATH. */
function natsServerRelease() {
  const version = versionOf(join(root, '.hms', 'bin', 'nats-server')) ?? versionOf('nats-server');
  if (version === null) throw new Error('no nats-server in .hms/bin or on PATH: run npm run setup first');
  return `v${version}`;
}

/** Builds that release statically (CGO_ENABLED=0) into .hms/docker/nats; returns the directory. */
export function prepareStaticNatsServer(say) {
  const dir = join(work, 'nats');
  const binary = join(dir, 'nats-server');
  const release = natsServerRelease();
  if (versionOf(binary) !== release.slice(1)) {
    say(`building a static nats-server ${release} (CGO_ENABLED=0 go install)`);
    mkdirSync(dir, { recursive: true }); // the command's cwd: a fresh clone has no .hms/docker yet
    run('go', ['install', '-trimpath', '-ldflags=-s -w', `github.com/nats-io/nats-server/v2@${release}`], {
      cwd: work,
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: dir },
    });
  }
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (!/not a dynamic executable|statically linked/.test(`${ldd.stdout}${ldd.stderr}`))
    throw new Error(`${binary} is dynamically linked; it cannot run FROM scratch`);
  return dir;
}

/** What the root filesystem is made of; the tarball's name and the imported image's label. */
const ROOTFS_RECIPE = `debian-bookworm-${DEBIAN_PACKAGES.join('-')}`;

/** A Debian 12 minbase root filesystem as a tarball (mmdebstrap), cached; returns its path. */
function prepareDebianRootfs(say) {
  const tarball = join(work, `${ROOTFS_RECIPE}.tar`);
  if (existsSync(tarball) && statSync(tarball).size > 0) return tarball;
  say('assembling a Debian 12 root filesystem (mmdebstrap --variant=minbase)');
  const partial = `${tarball}.partial`;
  run('mmdebstrap', [
    '--quiet',
    '--variant=minbase',
    '--format=tar',
    `--include=${DEBIAN_PACKAGES.join(',')}`,
    'bookworm',
    partial,
    ...DEBIAN_MIRRORS,
  ]);
  renameSync(partial, tarball);
  return tarball;
}

/** Where Debian keeps a machine's own certificate authorities (an egress proxy's, a company's). */
const LOCAL_CAS = '/usr/local/share/ca-certificates';

/**
 * The build context of docker/node-base.Dockerfile: `node` (current LTS), `npm`, and this
 * machine's own certificate authorities, so that builds on the base trust what the host trusts.
 */
export function prepareNodeBase(say) {
  const dir = join(work, 'node-base');
  const cas = join(dir, 'ca-certificates');
  rmSync(cas, { recursive: true, force: true });
  mkdirSync(cas, { recursive: true });
  if (existsSync(LOCAL_CAS))
    for (const f of readdirSync(LOCAL_CAS).filter((n) => n.endsWith('.crt')))
      copyFileSync(join(LOCAL_CAS, f), join(cas, f));
  copyFileSync(ensureNodeBinary(LTS_LINE, say), join(dir, 'node'));
  const npmVersion = /^npm@(.+)$/.exec(
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager,
  )?.[1];
  if (!npmVersion) throw new Error('package.json has no packageManager npm@<version>');
  const npmDir = join(dir, 'npm');
  const have = existsSync(join(npmDir, 'package.json'))
    ? JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')).version
    : null;
  if (have !== npmVersion) {
    say(`fetching npm ${npmVersion} (npm pack) for the node base image`);
    const tmp = mkdtempSync(join(work, '.npm-'));
    try {
      const pack = spawnSync('npm', ['pack', `npm@${npmVersion}`, '--pack-destination', tmp, '--json'], {
        cwd: tmp,
        encoding: 'utf8',
      });
      if (pack.status !== 0) throw new Error(`npm pack npm@${npmVersion} failed: ${pack.stderr.trim()}`);
      rmSync(npmDir, { recursive: true, force: true });
      mkdirSync(npmDir);
      run('tar', ['-xzf', join(tmp, JSON.parse(pack.stdout)[0].filename), '-C', npmDir, '--strip-components=1']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return dir;
}

/**
 * Builds the images (the engine must answer); `compose` runs docker-compose with the test's
 * files, which builds the node image from docker/node.Dockerfile as users' Compose does.
 */
export function buildImages({ say, compose, nats, nodeBase }) {
  // Imported only when the engine has no image of the same recipe (its label is the recipe, then
  // `@` and the tarball's mtime): a new import is a new image, and every layer built on it (the
  // Rust toolchain, the npm packages) would be built again. So the tarball is assembled only then
  // too, and a fresh clone or worktree reuses the engine's image.
  const label = spawnSync(DOCKER, ['image', 'inspect', '-f', '{{index .Config.Labels "hms.rootfs"}}', IMAGES.debian], {
    encoding: 'utf8',
  });
  if (label.status !== 0 || label.stdout.trim().split('@')[0] !== ROOTFS_RECIPE) {
    const rootfs = prepareDebianRootfs(say);
    say(`importing the root filesystem as ${IMAGES.debian}`);
    const stamp = `${ROOTFS_RECIPE}@${statSync(rootfs).mtimeMs}`;
    run(DOCKER, ['import', '--change', `LABEL hms.rootfs=${stamp}`, rootfs, IMAGES.debian]);
  }
  say(`building ${IMAGES.nodeBase} and ${IMAGES.nats}`);
  run(DOCKER, ['build', '-q', '-t', IMAGES.nodeBase, '-f', 'docker/node-base.Dockerfile', nodeBase]);
  run(DOCKER, ['build', '-q', '-t', IMAGES.nats, '-f', 'docker/nats.Dockerfile', nats]);
  say(`building ${IMAGES.node} (docker/node.Dockerfile through docker-compose)`);
  compose(['build', 'node-1']);
}
