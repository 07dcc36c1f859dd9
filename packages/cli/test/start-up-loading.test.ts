import { describe, expect, it } from 'vitest';
import { hmsLoadedModules } from './fixtures/loaded-modules.js';

/** Modules the named part stands for, as they appear in a loaded module's URL. */
const PARTS = {
  'the NATS client': '/@nats-io/',
  msgpackr: '/msgpackr/',
  pino: '/pino/',
  xstate: '/xstate/',
  ajv: '/ajv/',
  'prom-client': '/prom-client/',
  'the native addon': '/native/napi/',
  'the whole runtime': '/runtime/dist/index.js',
  '@hms/agents': '/agents/dist/',
  'Ink and React': '/ink/',
  'a command module': '/cli/dist/commands/',
} as const;

function partsLoaded(urls: string[]): string[] {
  return Object.entries(PARTS)
    .filter(([, marker]) => urls.some((u) => u.includes(marker)))
    .map(([part]) => part);
}

describe('hms start-up', () => {
  it('loads no command, no NATS client and no runtime for hms --version', async () => {
    const r = await hmsLoadedModules(['--version']);
    expect(r.code).toBe(0);
    expect(partsLoaded(r.urls)).toEqual([]);
  });

  it('lists every command for hms --help without loading one', async () => {
    const r = await hmsLoadedModules(['--help']);
    expect(r.code).toBe(0);
    expect(partsLoaded(r.urls)).toEqual([]);
  });

  it('loads only the agent command and the NATS client for hms agent list', async () => {
    // An unreachable server: the command runs to its connection attempt and exits 3.
    const r = await hmsLoadedModules(['--nats', 'nats://127.0.0.1:1', 'agent', 'list']);
    expect(r.code).toBe(3);
    expect(partsLoaded(r.urls)).toEqual(['the NATS client', 'msgpackr', 'a command module']);
    expect(r.urls.filter((u) => u.includes('/cli/dist/commands/')).map((u) => u.replace(/.*\//, ''))).toEqual([
      'agent.js',
    ]);
  });

  it("skips msgpackr's native string decoder for hms agent list, but not for a node (hms node start)", async () => {
    const list = await hmsLoadedModules(['--nats', 'nats://127.0.0.1:1', 'agent', 'list']);
    expect(list.urls.filter((u) => u.includes('/msgpackr-extract/'))).toEqual([]);
    // An unreachable server again: the node loads the runtime, then fails to connect.
    const node = await hmsLoadedModules(['--nats', 'nats://127.0.0.1:1', 'node', 'start', '--name', 'n1']);
    expect(node.code).not.toBe(0);
    expect(node.urls.some((u) => u.includes('/msgpackr-extract/'))).toBe(true);
  });

  it('loads no node host for hms node list (only hms node start does), nor the runtime for hms monitor health', async () => {
    for (const args of [
      ['node', 'list'],
      ['monitor', 'health'],
    ]) {
      const r = await hmsLoadedModules(['--nats', 'nats://127.0.0.1:1', ...args]);
      expect(r.code).toBe(3);
      expect(partsLoaded(r.urls)).toEqual(['the NATS client', 'msgpackr', 'a command module']);
    }
  });
});
