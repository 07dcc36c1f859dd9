#!/usr/bin/env node
// Builds the native addon from the Rust sources shipped in this package (`rust/`), for a platform
// that has no prebuilt `@hms/native-<platform>` package.
//
//   npx hms-native-build            build now (needs cargo)
//   node build-from-source.cjs --if-missing
//                                   the package's install script: does nothing when a binary
//                                   loads (the prebuilt package, or one built before)
//
// It runs cargo directly rather than `napi build`: @napi-rs/cli is a development dependency that
// users do not install, and for this cdylib `napi build` is `cargo build` plus a copy. The
// generated loader (index.js) looks for `./hms-native.<platform>.node` before the platform
// package, so the copy made here is what it finds.
'use strict';
const { spawnSync } = require('node:child_process');
const { copyFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const here = __dirname;
const ifMissing = process.argv.includes('--if-missing');

/** The napi-rs platform name of this process, as the loader spells it (`linux-x64-gnu`). */
function platformName() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** Prints one line and exits 1. */
function fail(line) {
  process.stderr.write(`@hms/native: ${line}\n`);
  process.exit(1);
}

/** True when the loader finds a binary (the platform package, or a local build). */
function loads() {
  try {
    require(join(here, 'index.js'));
    return true;
  } catch {
    return false;
  }
}

const name = platformName();
// In the repository the crate sits beside this file and `npm run setup` builds it.
if (ifMissing && (existsSync(join(here, 'src', 'lib.rs')) || loads())) process.exit(0);

const rust = join(here, 'rust');
if (!existsSync(join(rust, 'Cargo.toml'))) {
  fail(`no prebuilt binary for ${name} and no Rust sources in ${here}: reinstall @hms/native`);
}
if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status !== 0) {
  const why = ifMissing ? `no prebuilt binary for ${name} (@hms/native-${name} is not installed)` : 'cannot build';
  fail(`${why} and cargo is not on PATH: install Rust (https://rustup.rs), then run npx hms-native-build`);
}

process.stderr.write(`@hms/native: no prebuilt binary for ${name}: building it from source with cargo\n`);
const targetDir = join(rust, 'target');
const built = spawnSync(
  'cargo',
  ['build', '--release', '--locked', '--manifest-path', join(rust, 'Cargo.toml'), '-p', 'hms-native'],
  { stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: targetDir } },
);
if (built.status !== 0) fail(`cargo build failed (exit ${built.status}); see the output above`);

const library = { darwin: 'libhms_native.dylib', win32: 'hms_native.dll' }[process.platform] ?? 'libhms_native.so';
copyFileSync(join(targetDir, 'release', library), join(here, `hms-native.${name}.node`));
if (!loads()) fail(`built hms-native.${name}.node but it does not load; run node -e "require('@hms/native')"`);
process.stderr.write(`@hms/native: built hms-native.${name}.node\n`);
