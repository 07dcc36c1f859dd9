#!/usr/bin/env node
import { run } from './index.js';

// A reader that went away (`hms up | tee log` and Ctrl-C ends tee first) must not end this
// process before it has stopped what it started: writes to a closed pipe are dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const code = await run(process.argv);
process.exitCode = code;
// Open handles (a NATS socket in teardown) must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
