import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createJiti } from 'jiti';
import type { AnyHMSPlugin } from './hms-plugin.js';
import { HMS_VERSION, isCompatibleHms } from './hms-version.js';
import { hostPeerModules } from './peer-modules.js';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';
import { MANIFEST_FILE, type PluginManifest, readManifest } from './plugin-manifest.js';

/** A plugin read from disk: its manifest, where it is, and its modules' default exports. */
export interface LoadedPlugin {
  manifest: PluginManifest;
  /** The plugin's directory (absolute). */
  dir: string;
  /** One plugin object per module of the manifest, in order. */
  parts: AnyHMSPlugin[];
}

/** Options of {@link loadPlugin}. */
export interface LoadPluginOptions {
  /** Where npm package names are resolved from; default the working directory. */
  cwd?: string;
  /** The HMS version the plugin's `hms` range must include; default {@link HMS_VERSION}. */
  hmsVersion?: string;
  /** Peer specifier → file; default the host's own copies ({@link hostPeerModules}). */
  peers?: Record<string, string>;
  /** How plugin.json is named in errors; default its path. */
  manifestName?: string;
}

const HOOKS = ['initialize', 'shutdown', 'getCommands', 'getAgentTypes', 'getEventHandlers'] as const;

/**
 * Finds a plugin's directory: `source` is a directory (absolute, or relative to `cwd`) or the
 * name of an npm package installed in the project at `cwd`.
 * @throws PluginError (reason `module`) when it is neither.
 */
export function resolvePluginDir(source: string, cwd = process.cwd()): string {
  const asPath = isAbsolute(source) ? source : resolve(cwd, source);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return asPath;
  const looksLikePath = source.startsWith('.') || source.startsWith('/') || source.includes('\\');
  if (!looksLikePath) {
    const require = createRequire(join(cwd, 'package.json'));
    for (const entry of [`${source}/${MANIFEST_FILE}`, `${source}/package.json`]) {
      try {
        return dirname(require.resolve(entry));
      } catch {
        // an `exports` map may hide one of them: try the other
      }
    }
    for (const base of require.resolve.paths(source) ?? []) {
      const dir = join(base, source);
      if (existsSync(join(dir, MANIFEST_FILE))) return dir;
    }
  }
  throw new PluginError(
    `plugin ${source}: no such directory, nor an npm package installed here (${cwd})`,
    PLUGIN_FAILURE.module,
    { data: { source } },
  );
}

function checkPlugin(value: unknown, manifest: PluginManifest, module: string): AnyHMSPlugin {
  const where = `plugin ${manifest.id}: ${module}`;
  if (value === null || typeof value !== 'object') {
    throw new PluginError(`${where}: the default export must be an HMSPlugin object`, PLUGIN_FAILURE.module);
  }
  const p = value as Record<string, unknown>;
  for (const hook of HOOKS) {
    if (typeof p[hook] !== 'function') {
      throw new PluginError(`${where}: the default export has no ${hook}() (not an HMSPlugin)`, PLUGIN_FAILURE.module);
    }
  }
  if (p.id !== manifest.id) {
    throw new PluginError(
      `${where}: exports plugin id ${JSON.stringify(p.id)}, but plugin.json says ${JSON.stringify(manifest.id)}`,
      PLUGIN_FAILURE.module,
    );
  }
  if (p.version !== manifest.version) {
    throw new PluginError(
      `${where}: exports version ${JSON.stringify(p.version)}, but plugin.json says ${JSON.stringify(manifest.version)}`,
      PLUGIN_FAILURE.module,
    );
  }
  return value as AnyHMSPlugin;
}

/**
 * Loads a plugin from a directory or an npm package: validates its plugin.json, checks its
 * `hms` range, and imports its modules (ESM, CommonJS or TypeScript, through jiti) with
 * `@hms/runtime`, `xstate` and `commander` resolved to the host's copies.
 * @throws PluginError with one line naming the plugin and what is wrong.
 */
export async function loadPlugin(source: string, options: LoadPluginOptions = {}): Promise<LoadedPlugin> {
  const dir = resolvePluginDir(source, options.cwd);
  const manifest = readManifest(dir, options.manifestName);
  const version = options.hmsVersion ?? HMS_VERSION;
  if (!isCompatibleHms(manifest.hms, version)) {
    throw new PluginError(
      `plugin ${manifest.id}@${manifest.version} needs HMS ${manifest.hms}; this is HMS ${version}`,
      PLUGIN_FAILURE.incompatible,
      { data: { plugin: manifest.id, range: manifest.hms, hms: version } },
    );
  }
  const peers = options.peers ?? hostPeerModules();
  const jiti = createJiti(join(dir, MANIFEST_FILE), {
    alias: peers,
    nativeModules: Object.keys(peers),
    moduleCache: false,
    interopDefault: true,
  });
  const parts: AnyHMSPlugin[] = [];
  for (const { path } of manifest.modules) {
    const file = join(dir, path);
    if (!existsSync(file)) {
      throw new PluginError(`plugin ${manifest.id}: module ${path} not found in ${dir}`, PLUGIN_FAILURE.module, {
        data: { plugin: manifest.id, module: path },
      });
    }
    let exported: unknown;
    try {
      exported = await jiti.import(file, { default: true });
    } catch (cause) {
      const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      throw new PluginError(`plugin ${manifest.id}: module ${path} failed to load: ${why}`, PLUGIN_FAILURE.module, {
        cause,
        data: { plugin: manifest.id, module: path },
      });
    }
    parts.push(checkPlugin(exported, manifest, path));
  }
  return { manifest, dir, parts };
}
