import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalNatsServer, startNatsServer } from '@hms/runtime';
import { afterAll, describe, it } from 'vitest';
import { hmsBin } from '../fixtures/run-hms.js';
import { startTmux, type TmuxTerminal } from '../fixtures/tmux-terminal.js';

describe('hms dashboard when NATS goes away', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hms-dash-nats-'));
  let server: LocalNatsServer | undefined;
  let term: TmuxTerminal | undefined;

  afterAll(async () => {
    term?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows "disconnected — reconnecting" while its nats-server is down and recovers when it is back', async () => {
    server = await startNatsServer({ storeDir: dir });
    const { port, url } = server;
    term = startTmux(`${process.execPath} ${hmsBin} dashboard`, { env: { NATS_URL: url, HMS_SWARM: 'reconnect' } });
    await term.waitForScreen((s) => /swarm reconnect · connected/.test(s), 'connected');
    await server.stop();
    await term.waitForScreen(
      (s) => s.includes('disconnected — reconnecting') && s.includes('CRITICAL — disconnected from NATS'),
      'the disconnected banner',
    );
    server = await startNatsServer({ storeDir: dir, port });
    await term.waitForScreen(
      (s) => /swarm reconnect · connected/.test(s) && !s.includes('disconnected'),
      'connected again',
    );
  }, 60_000);
});
