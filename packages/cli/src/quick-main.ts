// The entry point of `hms`'s start-up snapshot (scripts/build-quick-start.mjs bundles it into one
// file and runs it under `node --build-snapshot`). Importing the quick commands here evaluates
// commander, the NATS client and msgpackr while the snapshot is built, so a command started from
// it pays only for its connection and its request. Modules evaluated here run once, at build time:
// none may read the environment, the clock, the file system or a random number at its top level
// (the NATS client draws its id prefix on first use, not when loaded).
import { startupSnapshot } from 'node:v8';
import './commands/agent.js';
import './commands/heal.js';
import './commands/node.js';
import './commands/system.js';
import { ignoreClosedPipes } from './closed-pipes.js';
import { run } from './index.js';
import { isQuickCommandLine } from './quick-commands.js';

/**
 * Runs the command line `bin/hms.js` passed. It exports HMS_QUICK_ARGC, the number of arguments of
 * its own, which are the last ones of process.argv: where they start differs between Node
 * versions (whether argv[0] is repeated as argv[1]).
 */
async function main(): Promise<void> {
  const argc = Number(process.env.HMS_QUICK_ARGC);
  delete process.env.HMS_QUICK_ARGC;
  const args = Number.isInteger(argc) && argc > 0 ? process.argv.slice(-argc) : [];
  if (!isQuickCommandLine(args)) {
    // bin/hms.js sends only quick commands here; anything else is a mismatch between the two lists.
    process.stderr.write(`hms: internal: ${args[0] ?? '(no command)'} is not served by the start-up snapshot\n`);
    process.exit(1);
  }
  ignoreClosedPipes();
  const code = await run([process.execPath, 'hms', ...args]);
  process.exitCode = code;
  // Open handles (a NATS socket in teardown) must not keep a finished command alive.
  setTimeout(() => process.exit(code), 200).unref();
}

if (startupSnapshot.isBuildingSnapshot()) {
  // The NATS client's ids (nuid) take their random prefix from WebCrypto on first use; loading
  // WebCrypto (Node's crypto internals, some of TLS's among them) here takes ~5 ms off every
  // command's connection (bench/RESULTS.md). Only the loading: no random value is kept.
  globalThis.crypto.getRandomValues(new Uint8Array(1));
  startupSnapshot.setDeserializeMainFunction(main);
}
