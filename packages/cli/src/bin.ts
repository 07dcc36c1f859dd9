#!/usr/bin/env node
import { run } from './index.js';

const code = await run(process.argv);
process.exitCode = code;
// Open handles (a NATS socket in teardown) must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
