#!/usr/bin/env node
// The `hms` command. A committed file (not the build output) so that npm links it at install
// time, before the first build.
import('../dist/bin.js').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('hms: not built yet: run npm run build (or npm start) first\n');
    process.exit(1);
  }
  throw err;
});
