import type { Command } from 'commander';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';

/** A command group mounted by a plugin. */
export interface MountedCommand {
  /** The plugin that mounted it. */
  plugin: string;
  /** Built-in plugins mount at the top level (`hms agent …`); others under `hms <plugin-id> …`. */
  topLevel: boolean;
  command: Command;
}

/**
 * The commands of a process's plugins. Names are unique at their level: a top-level name (a
 * built-in group such as `agent`, or a plugin's id) is reserved for its owner, and a plugin's
 * commands are unique among themselves. Conflicts are refused with one line naming both.
 */
export class CommandRegistry {
  private readonly byPlugin = new Map<string, MountedCommand[]>();
  /** Top-level name → the plugin that holds it. */
  private readonly topLevel = new Map<string, string>();

  /** Names reserved by `hms` itself (e.g. `plugin`, `up`), held by `owner`. */
  reserve(names: Iterable<string>, owner = 'hms'): void {
    for (const n of names) if (!this.topLevel.has(n)) this.topLevel.set(n, owner);
  }

  /**
   * Mounts `plugin`'s commands: at the top level for a built-in, else under its id.
   * @throws PluginError (reason `conflict`) naming both owners; nothing is mounted then.
   */
  mount(plugin: string, commands: Command[], options: { builtin?: boolean } = {}): void {
    const builtin = options.builtin ?? false;
    const names = new Map<string, string>();
    const claim = (name: string, what: string) => {
      const holder = this.topLevel.get(name);
      if (holder !== undefined && holder !== plugin) {
        throw new PluginError(
          `plugin ${plugin}: ${what} ${JSON.stringify(name)} is already taken by ${holder === 'hms' ? 'hms itself' : `plugin ${holder}`}`,
          PLUGIN_FAILURE.conflict,
          { data: { plugin, other: holder, name } },
        );
      }
    };
    for (const c of commands) {
      const name = c.name();
      const twice = names.get(name);
      if (twice !== undefined) {
        throw new PluginError(
          `plugin ${plugin}: two commands are named ${JSON.stringify(name)}`,
          PLUGIN_FAILURE.conflict,
          {
            data: { plugin, name },
          },
        );
      }
      names.set(name, name);
      if (builtin) claim(name, 'command');
    }
    if (!builtin && commands.length > 0) claim(plugin, 'command group');
    for (const name of builtin ? names.keys() : commands.length > 0 ? [plugin] : []) this.topLevel.set(name, plugin);
    this.byPlugin.set(
      plugin,
      commands.map((command) => ({ plugin, topLevel: builtin, command })),
    );
  }

  /** Removes what `plugin` mounted. */
  unmount(plugin: string): void {
    this.byPlugin.delete(plugin);
    for (const [name, holder] of this.topLevel) if (holder === plugin) this.topLevel.delete(name);
  }

  /** Every mounted command, in mount order. */
  list(): MountedCommand[] {
    return [...this.byPlugin.values()].flat();
  }

  /** The commands of one plugin (empty when it mounted none). */
  of(plugin: string): MountedCommand[] {
    return this.byPlugin.get(plugin) ?? [];
  }
}
