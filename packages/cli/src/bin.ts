#!/usr/bin/env node
import module from 'node:module';

// V8 keeps the code it compiled for the CLI and its dependencies between runs (Node 22.1+; in
// the OS's temp folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Enabled before anything else
// is imported, so that it covers them.
module.enableCompileCache?.();

// A reader that went away (`hms up | tee log` and Ctrl-C ends tee first) must not end this
// process before it has stopped what it started: writes to a closed pipe are dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const { run } = await import('./index.js');
const code = await run(process.argv);
process.exitCode = code;
// Open handles (a NATS socket in teardown) must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
