import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import semver from 'semver';
import { isToken } from '../transport/subjects.js';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';

/** The file that makes a directory (or npm package) an HMS plugin. */
export const MANIFEST_FILE = 'plugin.json';

/** A plugin's `plugin.json`, validated. */
export interface PluginManifest {
  /** One subject token (A-Z a-z 0-9 _ -, 1-128), unique in the swarm. */
  id: string;
  name: string;
  /** Semver, e.g. `1.2.0`. */
  version: string;
  /** A semver range of the HMS versions it works with, e.g. `^0.1.0`. */
  hms: string;
  /** Modules relative to the plugin directory, each default-exporting an `HMSPlugin`; at least one. */
  modules: Array<{ path: string }>;
  /** A JSON schema of the plugin's settings (validated when added and when loaded). */
  config?: Record<string, unknown>;
  /** A one-line description, if given. */
  description?: string;
}

const fail = (file: string, field: string, message: string): never => {
  throw new PluginError(`${file}: ${JSON.stringify(field)}: ${message}`, PLUGIN_FAILURE.manifest, {
    data: { file, field },
  });
};

const got = (value: unknown) => `got ${JSON.stringify(value) ?? String(value)}`;

/**
 * Checks a parsed plugin.json; `file` names it in errors, e.g.
 * `plugins/x/plugin.json: "version": must be semver, got "one"`.
 * @throws PluginError (reason `manifest`) naming the file and the first bad field.
 */
export function validateManifest(raw: unknown, file: string): PluginManifest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PluginError(`${file}: must be a JSON object, ${got(raw)}`, PLUGIN_FAILURE.manifest, { data: { file } });
  }
  const m = raw as Record<string, unknown>;
  if (!isToken(m.id)) fail(file, 'id', `must be 1-128 characters of A-Z a-z 0-9 _ -, ${got(m.id)}`);
  if (typeof m.name !== 'string' || m.name.trim() === '')
    fail(file, 'name', `must be a non-empty string, ${got(m.name)}`);
  if (typeof m.version !== 'string' || semver.valid(m.version) === null) {
    fail(file, 'version', `must be semver, ${got(m.version)}`);
  }
  if (typeof m.hms !== 'string' || semver.validRange(m.hms) === null) {
    fail(file, 'hms', `must be a semver range of HMS versions (e.g. "^0.1.0"), ${got(m.hms)}`);
  }
  if (!Array.isArray(m.modules) || m.modules.length === 0) {
    fail(file, 'modules', `must be a non-empty array of { "path": "…" }, ${got(m.modules)}`);
  }
  const modules = (m.modules as unknown[]).map((entry, i) => {
    const path = (entry as { path?: unknown } | null)?.path;
    if (typeof path !== 'string' || path === '') fail(file, `modules[${i}].path`, `must be a file path, ${got(path)}`);
    const p = path as string;
    if (p.startsWith('/') || relative('.', join('.', p)).startsWith('..')) {
      fail(file, `modules[${i}].path`, `must stay inside the plugin directory, ${got(p)}`);
    }
    return { path: p };
  });
  if (m.config !== undefined && (m.config === null || typeof m.config !== 'object' || Array.isArray(m.config))) {
    fail(file, 'config', `must be a JSON schema object, ${got(m.config)}`);
  }
  if (m.description !== undefined && typeof m.description !== 'string') {
    fail(file, 'description', `must be a string, ${got(m.description)}`);
  }
  return {
    id: m.id as string,
    name: m.name as string,
    version: m.version as string,
    hms: m.hms as string,
    modules,
    ...(m.config === undefined ? {} : { config: m.config as Record<string, unknown> }),
    ...(m.description === undefined ? {} : { description: m.description as string }),
  };
}

/**
 * Reads and validates `<dir>/plugin.json`; `shownAs` is how the file is named in errors
 * (default: the path relative to the working directory).
 */
export function readManifest(dir: string, shownAs?: string): PluginManifest {
  const path = join(dir, MANIFEST_FILE);
  const file = shownAs ?? (relative(process.cwd(), path) || path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(cause);
    throw new PluginError(`${file}: ${why} (a plugin needs a ${MANIFEST_FILE})`, PLUGIN_FAILURE.manifest, {
      cause,
      data: { file },
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new PluginError(`${file}: not valid JSON: ${(cause as Error).message}`, PLUGIN_FAILURE.manifest, {
      cause,
      data: { file },
    });
  }
  return validateManifest(raw, file);
}
