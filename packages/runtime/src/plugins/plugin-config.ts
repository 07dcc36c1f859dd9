import { Ajv, type ErrorObject } from 'ajv';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';
import type { PluginManifest } from './plugin-manifest.js';

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });

const describe = (e: ErrorObject): string => {
  const at = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '';
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return `${JSON.stringify(at ? `${at}.${missing}` : missing)}: is required`;
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `${JSON.stringify(at ? `${at}.${extra}` : extra)}: is not a setting of this plugin`;
  }
  return `${JSON.stringify(at || 'config')}: ${e.message ?? 'is not valid'}`;
};

/**
 * Validates (and fills defaults of) a plugin's settings against the `config` schema of its
 * manifest; settings of a plugin without a schema must be an object.
 * @throws PluginError (reason `config`) naming the plugin and the first bad field.
 */
export function validatePluginConfig(manifest: PluginManifest, raw: unknown): Record<string, unknown> {
  const config = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new PluginError(`plugin ${manifest.id}: config must be a JSON object`, PLUGIN_FAILURE.config);
  }
  if (!manifest.config) return config;
  let validate: ReturnType<typeof ajv.compile>;
  try {
    validate = ajv.compile(manifest.config);
  } catch (cause) {
    throw new PluginError(
      `plugin ${manifest.id}: plugin.json: "config": not a valid JSON schema: ${(cause as Error).message}`,
      PLUGIN_FAILURE.manifest,
      { cause },
    );
  }
  if (!validate(config)) {
    const first = validate.errors?.[0];
    throw new PluginError(
      `plugin ${manifest.id}: config ${first ? describe(first) : 'is not valid'}`,
      PLUGIN_FAILURE.config,
      { data: { errors: validate.errors } },
    );
  }
  return config;
}
