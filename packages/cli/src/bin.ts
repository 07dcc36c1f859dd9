#!/usr/bin/env node
import module from 'node:module';

/** Commands that host nodes (`up`'s nodes inherit this process's environment) or run until stopped. */
const LONG_RUNNING = (word: string | undefined, next: string | undefined): boolean =>
  word === 'up' ||
  (word === 'node' && next === 'start') ||
  word === 'dashboard' ||
  word === 'sub' ||
  word === 'monitor';

// V8 keeps the code it compiled for the CLI and its dependencies between runs (Node 22.1+; in
// the OS's temp folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Enabled before anything else
// is imported, so that it covers them.
module.enableCompileCache?.();

// msgpackr loads a native addon (msgpackr-extract, with detect-libc and node-gyp-build) that
// speeds up decoding long strings: 4–6 ms of `hms agent list`'s start-up (bench/RESULTS.md, CLI),
// for messages it never sees. Off for the commands that end once answered, on for the long-running
// ones; an operator's own setting wins.
const { scanCommandLine } = await import('./command-line-scan.js');
const { word, next } = scanCommandLine(process.argv.slice(2));
if (!LONG_RUNNING(word, next) && process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED === undefined) {
  process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = 'true';
}

const { ignoreClosedPipes } = await import('./closed-pipes.js');
ignoreClosedPipes();
const { run } = await import('./index.js');
const code = await run(process.argv);
process.exitCode = code;
// Open handles (a NATS socket in teardown) must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
