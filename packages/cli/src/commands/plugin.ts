import {
  CommandRegistry,
  createSilentLogger,
  loadPlugin,
  PluginError,
  type PluginRecord,
  type PluginStatus,
  PluginStore,
  packPluginDir,
  resolvePluginDir,
  type Transport,
  validatePluginConfig,
} from '@hms/runtime';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { CliError, rethrowNotFound } from '../errors.js';
import { type GlobalOptions, globalOptions, withConnection } from '../global-options.js';
import { formatJson, formatTable } from '../output.js';
import { removeLocalCopy, saveLocalCopy, saveLocalRecord, syncLocalCopies } from '../plugins/local-plugins.js';
import { collectPluginReports, type NodePluginReport } from '../plugins/node-plugin-reports.js';
import { scaffoldPlugin } from '../plugins/scaffold-plugin.js';

/** How long add/remove/enable/disable wait for every live node to apply the change, in millis. */
const APPLY_WAIT_MS = 20_000;

function parseConfig(value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new InvalidArgumentError('must be a JSON object, e.g. \'{"url":"http://localhost:8080"}\'');
  }
}

/** One row per plugin and node: `hms plugin list`. */
interface PluginRow {
  plugin: string;
  version: string;
  enabled: boolean | 'built-in';
  node: string;
  status: string;
  faults: string;
  error?: string;
}

const faultsOf = (s: PluginStatus | undefined) =>
  s?.faults ? `${s.faults.handlerErrors} handler, ${s.faults.cellCrashes} crash` : '-';

function rows(records: PluginRecord[], reports: NodePluginReport[]): PluginRow[] {
  const out: PluginRow[] = [];
  for (const r of records) {
    for (const { node, plugins } of reports) {
      const s = plugins.find((p) => p.id === r.id);
      out.push({
        plugin: r.id,
        version: r.version,
        enabled: r.enabled,
        node,
        status: s?.status ?? (r.enabled ? 'pending' : 'disabled'),
        faults: faultsOf(s),
        ...(s?.error ? { error: s.error } : {}),
      });
    }
  }
  for (const { node, plugins } of reports) {
    for (const s of plugins.filter((p) => p.builtin)) {
      out.push({ plugin: s.id, version: s.version, enabled: 'built-in', node, status: s.status, faults: faultsOf(s) });
    }
  }
  return out;
}

/** True when a node's statuses show the record applied (loaded or failed; absent when disabled). */
const applied = (id: string, present: boolean) => (plugins: PluginStatus[]) =>
  plugins.some((p) => p.id === id) === present;

const openStore = (t: Transport, g: GlobalOptions) => PluginStore.open(t, g.swarm, createSilentLogger());

/** `hms plugin …`: the swarm's plugins, loaded live on every node. */
export function createPluginCommand({ output }: CommandDeps): Command {
  const plugin = new Command('plugin').description("add, remove and inspect the swarm's plugins (your own cells)");

  const report = (g: GlobalOptions, records: PluginRecord[], reports: NodePluginReport[]) => {
    const table = rows(records, reports);
    if (g.json) output.out(formatJson({ plugins: records, nodes: reports }));
    else
      output.out(
        table.length
          ? formatTable(table, ['plugin', 'version', 'enabled', 'node', 'status', 'faults', 'error'])
          : 'no plugins',
      );
  };

  plugin
    .command('add')
    .description('pack a plugin (a directory or an npm package), store it for the swarm, and load it on every node')
    .argument('<source>', 'plugin directory, or npm package name installed in this project')
    .option('--config <json>', "the plugin's settings, checked against its plugin.json schema", parseConfig)
    .option('--replace', 'replace the plugin of the same id the swarm has (an upgrade)', false)
    .action(async (source: string, opts: { config?: Record<string, unknown>; replace: boolean }, command: Command) => {
      const g = globalOptions(command);
      const loaded = await loadPlugin(resolvePluginDir(source));
      const { manifest } = loaded;
      const taken = (command.parent?.parent?.commands ?? []).find(
        (c) => c.name() === manifest.id && !(c as Command & { hmsPlugin?: boolean }).hmsPlugin,
      );
      if (taken) {
        throw new PluginError(
          `plugin ${manifest.id}: its id is the name of hms's own command ${manifest.id}`,
          'conflict',
        );
      }
      // Commands and types must not clash among themselves before any node sees them.
      new CommandRegistry().mount(
        manifest.id,
        loaded.parts.flatMap((p) => p.getCommands()),
      );
      const config = validatePluginConfig(manifest, opts.config);
      const pack = await packPluginDir(loaded.dir);
      await withConnection(g, async (t) => {
        const store = await openStore(t, g);
        const existing = await store.get(manifest.id);
        if (existing && existing.digest !== pack.digest && !opts.replace) {
          throw new PluginError(
            `plugin ${manifest.id}@${manifest.version} (${loaded.dir}): the swarm has plugin ${existing.id}@${existing.version} (${existing.name}) already: remove it first, or add --replace`,
            'conflict',
          );
        }
        const record = await store.put(manifest, pack, config);
        await saveLocalCopy(g.swarm, record, pack.data);
        const reports = await collectPluginReports(t, g.swarm, {
          timeoutMs: APPLY_WAIT_MS,
          done: (plugins) => plugins.some((p) => p.id === record.id && p.version === record.version),
        });
        report(g, [record], reports);
        const failed = reports.filter((r) => r.plugins.find((p) => p.id === record.id)?.status === 'failed');
        if (failed.length > 0) {
          throw new CliError(`plugin ${record.id} failed on ${failed.map((f) => f.node).join(', ')} (see above)`);
        }
      });
    });

  plugin
    .command('remove')
    .description('remove a plugin: its cells stop (their state is kept) and its types and commands go')
    .argument('<id>', 'plugin id')
    .action(async (id: string, _opts, command: Command) => {
      const g = globalOptions(command);
      await withConnection(g, async (t) => {
        const store = await openStore(t, g);
        const record = await store.remove(id).catch(rethrowNotFound);
        removeLocalCopy(g.swarm, id);
        await collectPluginReports(t, g.swarm, { timeoutMs: APPLY_WAIT_MS, done: applied(id, false) });
        output.out(g.json ? formatJson({ removed: record.id }) : `removed plugin ${record.id}@${record.version}`);
      });
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    plugin
      .command(name)
      .description(
        enabled
          ? 'load a disabled plugin again on every node'
          : 'unload a plugin on every node, keeping it in the swarm',
      )
      .argument('<id>', 'plugin id')
      .action(async (id: string, _opts, command: Command) => {
        const g = globalOptions(command);
        await withConnection(g, async (t) => {
          const store = await openStore(t, g);
          const record = await store.setEnabled(id, enabled).catch(rethrowNotFound);
          saveLocalRecord(g.swarm, record);
          const reports = await collectPluginReports(t, g.swarm, {
            timeoutMs: APPLY_WAIT_MS,
            done: applied(id, enabled),
          });
          report(g, [record], reports);
        });
      });
  }

  plugin
    .command('list')
    .description('every plugin of the swarm and, per node, whether it loaded (or why it failed)')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      await withConnection(g, async (t) => {
        const store = await openStore(t, g);
        const records = await store.list();
        await syncLocalCopies(g.swarm, store, records);
        report(g, records, await collectPluginReports(t, g.swarm));
      });
    });

  plugin
    .command('info')
    .description("one plugin: its record, its types and commands, and each node's status")
    .argument('<id>', 'plugin id')
    .action(async (id: string, _opts, command: Command) => {
      const g = globalOptions(command);
      await withConnection(g, async (t) => {
        const store = await openStore(t, g);
        const reports = await collectPluginReports(t, g.swarm);
        const builtin = reports.flatMap((r) => r.plugins).find((p) => p.id === id && p.builtin);
        const record = builtin
          ? {
              id,
              name: 'built into HMS',
              version: builtin.version,
              enabled: true,
              hms: '-',
              digest: '-',
              size: 0,
              config: {},
            }
          : await store.require(id).catch(rethrowNotFound);
        const nodes = reports.map(({ node, plugins }) => ({ node, ...plugins.find((p) => p.id === id) }));
        if (g.json) {
          output.out(formatJson({ ...record, nodes }));
          return;
        }
        const types = [...new Set(nodes.flatMap((n) => n.types ?? []))];
        output.out(
          [
            `${record.id}@${record.version}  ${record.name}`,
            `enabled: ${record.enabled}   hms: ${record.hms}   sha256: ${record.digest}   ${record.size} bytes`,
            `config: ${JSON.stringify(record.config)}`,
            `types: ${types.join(', ') || '-'}`,
            `commands: hms ${record.id} --help`,
            formatTable(
              nodes.map((n) => ({
                node: n.node,
                status: n.status ?? 'pending',
                faults: faultsOf(n as PluginStatus),
                error: n.error,
              })),
              ['node', 'status', 'faults', 'error'],
            ),
          ].join('\n'),
        );
      });
    });

  plugin
    .command('new')
    .description('scaffold a working plugin (plugin.json, a cell type, a command, an event handler, a test)')
    .argument('<dir>', 'directory to create; its name becomes the plugin id')
    .action((dir: string) => {
      const { id, files } = scaffoldPlugin(dir);
      output.out(
        `created plugin ${id} in ${dir}: ${files.join(', ')}\nadd it to the swarm with: hms plugin add ${dir}`,
      );
    });

  return plugin;
}
