import { scanCommandLine } from './command-line-scan.js';

/**
 * The top-level commands that end once answered and load neither plugins nor the node host: the
 * ones the start-up snapshot serves (`bin/hms.js` keeps the same list). `node start` hosts a node
 * and is not one of them.
 */
export const QUICK_COMMANDS = ['agent', 'heal', 'node', 'system'] as const;

/** True when the command line `args` (argv without node and script) names a quick command. */
export function isQuickCommandLine(args: readonly string[]): boolean {
  const { word, next } = scanCommandLine(args);
  if (word === 'node' && next === 'start') return false;
  return (QUICK_COMMANDS as readonly (string | undefined)[]).includes(word);
}
