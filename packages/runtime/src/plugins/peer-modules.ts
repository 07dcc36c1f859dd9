import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The packages a plugin shares with its host: a plugin that imports them gets the host's copy
 * (one xstate, one `@hms/runtime`, one commander), so it needs no node_modules of its own.
 */
export const PEER_PACKAGES = ['@hms/runtime', 'xstate', 'commander'] as const;

const require = createRequire(import.meta.url);

function resolveEsm(specifier: string): string {
  // The ESM entry the host itself imports (a CommonJS resolution could pick a second copy).
  const resolve = (import.meta as ImportMeta & { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') {
    const url = resolve(specifier);
    if (url.startsWith('file:')) return fileURLToPath(url);
  }
  return require.resolve(specifier);
}

/** Peer specifier → the host's file, for the loader's aliases. */
export function hostPeerModules(): Record<string, string> {
  return Object.fromEntries(PEER_PACKAGES.map((p) => [p, resolveEsm(p)]));
}
