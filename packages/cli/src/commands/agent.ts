import {
  type CellInspection,
  type CreateAgentRequest,
  createControlClient,
  createSubjects,
  HOST_MESSAGE,
  NoRespondersError,
} from '@hms/runtime/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { GRAPH_FORMATS, type GraphFormat, graphToDot, graphToMermaid } from '../agent-graph-format.js';
import { parseCellId, parseCellIds } from '../cell-id-argument.js';
import type { CommandDeps } from '../command-deps.js';
import { CliError, rethrowNotFound, UsageError } from '../errors.js';
import { globalOptions, withConnection } from '../global-options.js';
import { formatJson, formatTable } from '../output.js';
import { OVERLOAD_WAIT_MS } from '../overload-wait.js';

function parseBody(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('must be JSON, e.g. \'{"by":2}\' or 5');
  }
}

function cellInbox(swarm: string, id: string): string {
  return createSubjects(swarm).cellInbox(id);
}

function parseConfig(value: string): unknown {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw new InvalidArgumentError('must be a JSON object, e.g. \'{"target":"ponger-1"}\'');
  }
}

const LIST_COLUMNS = ['id', 'type', 'node', 'status', 'state', 'handled', 'errors', 'mailbox'] as const;

/** `hms agent list|create|destroy|status`, served over the control plane. */
export function createAgentCommand({ output }: CommandDeps): Command {
  const agent = new Command('agent').description('list, create, destroy and inspect cells');

  agent
    .command('list')
    .description('every cell of the swarm with its type, node and status')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const agents = await withConnection(g, (t) => createControlClient(t, g.swarm).listAgents());
      if (g.json) output.out(formatJson(agents));
      else output.out(agents.length ? formatTable(agents, LIST_COLUMNS) : 'no cells');
      const unknown = new Map<string, number>();
      for (const a of agents) if (a.status === 'unknown') unknown.set(a.node, (unknown.get(a.node) ?? 0) + 1);
      for (const [node, n] of unknown) {
        output.err(`${node} did not answer in time (paused or overloaded?): its ${n} cell(s) are listed as unknown`);
      }
    });

  agent
    .command('create')
    .description('create a cell of <type> and wait until it runs')
    .argument('<type>', 'cell type (see hms agent types)')
    .option('--id <id>', 'cell id, unique in the swarm (default <type>-<random>)', parseCellId)
    .option('--node <node>', 'pin the cell to this node', parseCellId)
    .option('--config <json>', 'cell configuration as a JSON object', parseConfig)
    .option('--depends-on <ids>', 'comma-separated cell ids this cell restarts with (rest-for-one)', parseCellIds)
    .action(
      async (
        type: string,
        opts: { id?: string; node?: string; config?: unknown; dependsOn?: string[] },
        command: Command,
      ) => {
        const g = globalOptions(command);
        const request: CreateAgentRequest = { type };
        if (opts.id) request.id = opts.id;
        if (opts.node) request.node = opts.node;
        if (opts.config) request.config = opts.config;
        if (opts.dependsOn) request.dependsOn = opts.dependsOn;
        const created = await withConnection(g, (t) =>
          createControlClient(t, g.swarm).createAgent(request, { overloadWaitMs: OVERLOAD_WAIT_MS }),
        );
        output.out(g.json ? formatJson(created) : `created ${created.id} (${created.type}) on ${created.node}`);
      },
    );

  agent
    .command('destroy')
    .description('stop a cell and remove it from the swarm')
    .argument('<id>', 'cell id', parseCellId)
    .action(async (id: string, _opts, command: Command) => {
      const g = globalOptions(command);
      const result = await withConnection(g, (t) => createControlClient(t, g.swarm).destroyAgent(id)).catch(
        rethrowNotFound,
      );
      output.out(g.json ? formatJson(result) : `destroyed ${id}`);
    });

  agent
    .command('status')
    .description("a cell's status, state, mailbox depth and counters")
    .argument('<id>', 'cell id', parseCellId)
    .action(async (id: string, _opts, command: Command) => {
      const g = globalOptions(command);
      const status = await withConnection(g, (t) => createControlClient(t, g.swarm).agentStatus(id)).catch(
        rethrowNotFound,
      );
      if (g.json) output.out(formatJson(status));
      else
        output.out(
          Object.entries(status)
            .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
            .join('\n'),
        );
    });

  agent
    .command('call')
    .description('send a request of <type> to a cell and print its reply')
    .argument('<id>', 'cell id', parseCellId)
    .argument('<type>', 'message type, e.g. get or increment')
    .argument('[body]', 'message body as JSON (e.g. \'{"by":2}\')', parseBody)
    .option('--timeout <ms>', 'reply timeout in millis', (v) => Number.parseInt(v, 10), 5000)
    .action(async (id: string, type: string, body: unknown, opts: { timeout: number }, command: Command) => {
      const g = globalOptions(command);
      const reply = await withConnection(g, (t) =>
        t.request(cellInbox(g.swarm, id), type, body, { timeout: opts.timeout }),
      ).catch((err: unknown) => {
        if (err instanceof NoRespondersError)
          throw new CliError(`cell ${id} does not answer (unknown, or not running)`);
        throw err;
      });
      output.out(formatJson(reply, !g.json));
    });

  agent
    .command('send')
    .description('send a one-way message of <type> to a cell')
    .argument('<id>', 'cell id', parseCellId)
    .argument('<type>', 'message type, e.g. increment')
    .argument('[body]', 'message body as JSON', parseBody)
    .action(async (id: string, type: string, body: unknown, _opts, command: Command) => {
      const g = globalOptions(command);
      await withConnection(g, async (t) => {
        await t.publishChecked(cellInbox(g.swarm, id), type, body);
      });
      if (!g.json) output.out(`sent ${type} to ${id}`);
    });

  agent
    .command('inspect')
    .description("a cell's machine: state value, context, the state tree with the active states, its last events")
    .argument('<id>', 'cell id', parseCellId)
    .action(async (id: string, _opts, command: Command) => {
      const g = globalOptions(command);
      const inspection = (await withConnection(g, (t) =>
        t.request(cellInbox(g.swarm, id), HOST_MESSAGE.inspect, undefined, { timeout: 5000 }),
      ).catch((err: unknown) => {
        if (err instanceof NoRespondersError)
          throw new CliError(`cell ${id} does not answer (unknown, or not running)`);
        throw err;
      })) as CellInspection;
      output.out(
        g.json ? formatJson(inspection) : (await import('../inspection-text.js')).formatInspection(inspection),
      );
    });

  agent
    .command('graph')
    .description(
      'the communication graph: who calls whom (counts, failures, latency, circuits) and who listens to whose events',
    )
    .addOption(new Option('--format <f>', 'output format').choices(GRAPH_FORMATS).default('dot'))
    .option(
      '--window <ms>',
      'how long to collect calls from the heartbeats, millis',
      (v) => Number.parseInt(v, 10),
      3000,
    )
    .action(async (opts: { format: GraphFormat; window: number }, command: Command) => {
      const g = globalOptions(command);
      if (!Number.isInteger(opts.window) || opts.window < 1000 || opts.window > 600_000)
        throw new UsageError('--window must be a whole number of millis from 1000 to 600000');
      // Loaded here: only this command reads the heartbeats' call traces.
      const { collectAgentGraph } = await import('../agent-graph.js');
      const graph = await withConnection(g, (t) => collectAgentGraph(t, g.swarm, opts.window));
      output.out(
        g.json || opts.format === 'json'
          ? formatJson(graph)
          : opts.format === 'mermaid'
            ? graphToMermaid(graph)
            : graphToDot(graph),
      );
    });

  agent
    .command('types')
    .description('the cell types the nodes can host')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const types = await withConnection(g, (t) => createControlClient(t, g.swarm).cellTypes());
      output.out(g.json ? formatJson(types) : formatTable(types, ['type', 'description']));
    });

  return agent;
}
