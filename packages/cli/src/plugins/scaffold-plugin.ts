import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { HMS_VERSION, isToken } from '@hms/runtime';
import { UsageError } from '../errors.js';

const manifest = (id: string) => ({
  id,
  name: id,
  version: '0.1.0',
  description: `${id}: a plugin of your own cells`,
  hms: `^${HMS_VERSION}`,
  modules: [{ path: 'index.ts' }],
  config: {
    type: 'object',
    properties: { greeting: { type: 'string', default: 'hello' } },
    additionalProperties: false,
  },
});

const indexTs = (id: string) => `import { defineCell, type HMSContext, type HMSPlugin } from '@hms/runtime';
import { Command } from 'commander';
import { assign, emit, setup } from 'xstate';

/** A cell that counts the \`increment\` messages it gets and says so in a \`${id}.counted\` event. */
export const counterCell = defineCell({
  type: '${id}',
  description: 'counts increments (from the ${id} plugin)',
  machine: () =>
    setup({
      types: { context: {} as { count: number }, events: {} as { type: 'increment'; by?: number } },
    }).createMachine({
      context: { count: 0 },
      on: {
        increment: {
          actions: [
            assign({ count: ({ context, event }) => context.count + (event.by ?? 1) }),
            emit(({ context }) => ({ type: '${id}.counted', count: context.count })),
          ],
        },
      },
    }),
  reply: (snapshot) => ({ count: snapshot.context.count }),
});

let context: HMSContext<{ greeting: string }> | undefined;

const plugin: HMSPlugin<{ greeting: string }> = {
  id: '${id}',
  name: '${id}',
  version: '0.1.0',
  initialize(ctx) {
    context = ctx;
    ctx.logger.info({ host: ctx.host }, \`\${ctx.config.greeting} from ${id}\`);
  },
  shutdown() {
    context = undefined;
  },
  getCommands: () => [
    new Command('count')
      .description('increment a ${id} cell and print its count')
      .argument('<cellId>', 'the cell')
      .action(async (cellId: string) => {
        const reply = await context?.request(cellId, 'increment', { by: 1 });
        console.log(JSON.stringify(reply));
      }),
  ],
  getAgentTypes: () => [counterCell],
  getEventHandlers: () => [
    {
      eventType: '${id}.counted',
      handler: (event, ctx) => ctx.logger.info({ cell: event.cellId, body: event.body }, 'counted'),
    },
  ],
};

export default plugin;
`;

const testTs = (id: string) => `import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import plugin, { counterCell } from '../index.js';

describe('${id}', () => {
  it('counts increments', () => {
    const actor = createActor(counterCell.machine({} as never)).start();
    actor.send({ type: 'increment' });
    actor.send({ type: 'increment', by: 2 });
    expect(actor.getSnapshot().context.count).toBe(3);
  });

  it('offers its cell type, a command and an event handler', () => {
    expect(plugin.getAgentTypes().map((t) => t.type)).toEqual(['${id}']);
    expect(plugin.getCommands().map((c) => c.name())).toEqual(['count']);
    expect(plugin.getEventHandlers().map((h) => h.eventType)).toEqual(['${id}.counted']);
  });
});
`;

/**
 * Writes a working plugin into `dir` (which must not exist or be empty): plugin.json, index.ts
 * with one cell type, one command and one event handler, and a vitest test.
 * @throws UsageError when the directory is not empty or its name is not a valid plugin id.
 */
export function scaffoldPlugin(dir: string): { id: string; files: string[] } {
  const path = resolve(dir);
  const id = basename(path);
  if (!isToken(id)) {
    throw new UsageError(`plugin new: the directory name ${JSON.stringify(id)} is the plugin id: use A-Z a-z 0-9 _ -`);
  }
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new UsageError(`plugin new: ${dir} exists and is not empty`);
  }
  mkdirSync(join(path, 'test'), { recursive: true });
  const files: Record<string, string> = {
    'plugin.json': `${JSON.stringify(manifest(id), null, 2)}\n`,
    'package.json': `${JSON.stringify({ name: id, version: '0.1.0', private: true, type: 'module' }, null, 2)}\n`,
    'index.ts': indexTs(id),
    [`test/${id}.test.ts`]: testTs(id),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return { id, files: Object.keys(files) };
}
