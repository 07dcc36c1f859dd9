import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { createSilentLogger } from '../../src/logger.js';
import { CommandRegistry } from '../../src/plugins/command-registry.js';
import { PluginError } from '../../src/plugins/plugin-error.js';
import { createPluginHost, type PluginHost } from '../../src/plugins/plugin-host.js';
import { loadPlugin } from '../../src/plugins/plugin-loader.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';
import { manifestOf, pluginSource, writeTempPlugin } from './temp-plugin.js';

const load = (id: string, source: Parameters<typeof pluginSource>[0] = { id }) =>
  loadPlugin(writeTempPlugin({ 'index.ts': pluginSource(source) }, manifestOf(id)));

describe('plugin isolation', () => {
  const swarm = uniqueSwarm();
  const subjects = createSubjects(swarm);
  let transport: Transport;
  let host: PluginHost;
  const registry = new CellRegistry();
  const commands = new CommandRegistry();
  commands.reserve(['plugin', 'agent']);

  beforeAll(async () => {
    transport = await connectTest('plugin-node');
    host = createPluginHost({
      kind: 'node',
      processId: 'n1',
      subjects,
      transport,
      registry,
      commands,
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await host.stop();
    await transport.close();
  });

  it('reports a plugin whose initialize throws as failed and keeps hosting the others', async () => {
    await host.add(await load('good'));
    const bad = await load('bad', { id: 'bad', initialize: "throw new Error('no database');" });
    await expect(host.add(bad)).rejects.toThrow('plugin bad: initialize failed: no database');
    expect(host.status()).toEqual([
      expect.objectContaining({ id: 'good', status: 'loaded', types: ['good-cell'] }),
      { id: 'bad', version: '1.0.0', status: 'failed', error: 'plugin bad: initialize failed: no database' },
    ]);
    expect(registry.has('good-cell')).toBe(true);
    expect(registry.has('bad-cell')).toBe(false);
  });

  it('refuses a second plugin with the same id, naming both', async () => {
    const twin = await load('good');
    const err = await host.add(twin).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as Error).message).toMatch(
      /^plugin good \(.+\) has the same id as plugin good already loaded from .+$/,
    );
  });

  it('refuses a plugin whose cell type another plugin registered, naming both', async () => {
    const clash = await load('clash', { id: 'clash', type: 'good-cell' });
    await expect(host.add(clash)).rejects.toThrow(
      'plugin clash: cell type "good-cell" is already registered by plugin good',
    );
    expect(host.status().find((s) => s.id === 'clash')?.status).toBe('failed');
  });

  it('refuses a built-in plugin whose command name is taken, naming both', async () => {
    const cmd = await load('agentish', { id: 'agentish', commands: "[new Command('agent')]" });
    await expect(host.add(cmd, { builtin: true })).rejects.toThrow(
      'plugin agentish: command "agent" is already taken by hms itself',
    );
    expect(registry.has('agentish-cell')).toBe(false);
  });

  it('contains and counts an event handler that throws, while the same plugin keeps handling', async () => {
    const seen: string[] = [];
    (globalThis as { hmsSeen?: string[] }).hmsSeen = seen;
    const flaky = await load('flaky', {
      id: 'flaky',
      handlers: `[{ eventType: 'probe.*', handler: (event) => {
        if (event.type === 'probe.bad') throw new Error('handler bug');
        globalThis.hmsSeen.push(event.type);
      } }]`,
    });
    await host.add(flaky);
    await transport.flush();
    transport.publish(subjects.event('probe.bad', 'x1'), 'probe.bad', {});
    transport.publish(subjects.event('probe.ok', 'x1'), 'probe.ok', {});
    await waitFor(() => seen.includes('probe.ok'), { what: 'the second event handled' });
    await waitFor(() => host.status().find((s) => s.id === 'flaky')?.faults?.handlerErrors === 1, {
      what: 'the throw counted',
    });
  });

  it('tells a plugin that asks for services without a registry, with a typed error', async () => {
    const needy = await load('needy', { id: 'needy', initialize: "context.getService('db');" });
    const err = await host.add(needy).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'plugin needy: initialize failed: plugin needy: services are not available in this context',
    );
    expect(((err as PluginError).cause as PluginError).reason).toBe('services');
  });

  it('unregisters the types and commands of a removed plugin', async () => {
    await host.remove('good');
    expect(registry.has('good-cell')).toBe(false);
    expect(host.status().some((s) => s.id === 'good')).toBe(false);
  });
});
