import type { Command } from 'commander';
import type { CommandDeps } from './command-deps.js';

/** Builds one top-level command group of `hms`. */
export type CreateCommand = (deps: CommandDeps) => Command;

/** A top-level command as `hms --help` lists it, and where its code is. */
export interface CommandEntry {
  name: string;
  /** How help lists it: the name, `[options]` when it has any, its arguments. */
  term: string;
  description: string;
  /** The built-in plugin that mounts it (`cli-agent`); absent for a command of `hms` itself. */
  plugin?: string;
  /** Imports the command's module (and so its dependencies) and returns its factory. */
  load(): Promise<CreateCommand>;
}

/**
 * Every top-level command of `hms`, in the order help lists them. Static, so that `hms --help`,
 * `hms --version` and a mistyped command import no command module, and `hms agent list` imports
 * only the agent command's (as oclif lists commands from a manifest). A test checks each entry
 * against the command its module builds.
 */
export const COMMAND_MANIFEST: readonly CommandEntry[] = [
  {
    name: 'up',
    term: 'up [options]',
    description:
      'launch a local swarm: a nats-server (unless one answers or --nats is given) and N nodes with demo cells',
    load: async () => (await import('./commands/up.js')).createUpCommand,
  },
  {
    name: 'down',
    term: 'down',
    description: 'stop the local swarm started by hms up (nodes, then its nats-server)',
    load: async () => (await import('./commands/down.js')).createDownCommand,
  },
  {
    name: 'node',
    term: 'node',
    description: 'run a node process of a swarm',
    load: async () => (await import('./commands/node.js')).createNodeCommand,
  },
  {
    name: 'agent',
    term: 'agent',
    description: 'list, create, destroy and inspect cells',
    plugin: 'cli-agent',
    load: async () => (await import('./commands/agent.js')).createAgentCommand,
  },
  {
    name: 'system',
    term: 'system',
    description: 'swarm status and live configuration',
    plugin: 'cli-system',
    load: async () => (await import('./commands/system.js')).createSystemCommand,
  },
  {
    name: 'monitor',
    term: 'monitor',
    description: 'watch the health, metrics and alerts of the swarm',
    plugin: 'cli-monitor',
    load: async () => (await import('./commands/monitor.js')).createMonitorCommand,
  },
  {
    name: 'heal',
    term: 'heal',
    description: 'healing actions: history, manual restarts, restart strategy',
    plugin: 'cli-heal',
    load: async () => (await import('./commands/heal.js')).createHealCommand,
  },
  {
    name: 'evolve',
    term: 'evolve',
    description: 'island-model genetic algorithm: benchmark functions or the swarm itself',
    plugin: 'cli-evolve',
    load: async () => (await import('./commands/evolve.js')).createEvolveCommand,
  },
  {
    name: 'dashboard',
    term: 'dashboard [options]',
    description: 'live dashboard of the swarm: health, agents, evolution, metrics (q quits; --once prints one frame)',
    plugin: 'cli-dashboard',
    load: async () => (await import('./commands/dashboard.js')).createDashboardCommand,
  },
  {
    name: 'plugin',
    term: 'plugin',
    description: "add, remove and inspect the swarm's plugins (your own cells)",
    load: async () => (await import('./commands/plugin.js')).createPluginCommand,
  },
  {
    name: 'service',
    term: 'service',
    description: 'NATS services (the same ones `nats micro ls` finds)',
    load: async () => (await import('./commands/service.js')).createServiceCommand,
  },
  {
    name: 'security',
    term: 'security',
    description: 'authenticated swarms: TLS, accounts and role credentials',
    load: async () => (await import('./commands/security.js')).createSecurityCommand,
  },
  {
    name: 'sub',
    term: 'sub [options] [subject]',
    description: "print messages on <subject> as JSON lines (e.g. 'hms.default.>')",
    load: async () => (await import('./commands/sub.js')).createSubCommand,
  },
  {
    name: 'decode',
    term: 'decode',
    description: "decode a message body from stdin to JSON (nats sub --translate 'hms decode')",
    load: async () => (await import('./commands/decode.js')).createDecodeCommand,
  },
];

/** Commands of `hms` itself, not built-in plugins: their names are reserved. */
export const CORE_COMMANDS: readonly string[] = [
  ...COMMAND_MANIFEST.filter((e) => e.plugin === undefined).map((e) => e.name),
  'help',
];
