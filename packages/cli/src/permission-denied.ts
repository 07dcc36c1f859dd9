/** A permission refusal as the one line `hms` prints: the role, the action, the subject. */
import { readFileSync } from 'node:fs';
import { credsRole, findPermissionDenied, permissionDenied } from '@hms/runtime/client';
import type { Command } from 'commander';

/** The command path of `command` without the program's name: `agent create`. */
export function actionName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The role of the `--creds` file given to `program`, if any. */
function roleOf(program: Command): string | undefined {
  const creds = (program.opts() as { creds?: string }).creds;
  if (!creds) return undefined;
  try {
    return credsRole(readFileSync(creds, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The line for a permission refusal anywhere in `err`'s causes, e.g. `permission denied: the
 * observer role may not publish to hms.s.ctl.agent.create (agent create)`; undefined if `err`
 * is not one.
 */
export function permissionDeniedLine(err: unknown, program: Command, action: string | undefined): string | undefined {
  const denied = findPermissionDenied(err, roleOf(program));
  if (!denied) return undefined;
  const data = denied.data ?? {};
  const base =
    typeof data.subject === 'string' && typeof data.operation === 'string'
      ? permissionDenied((data.role as string | null) ?? undefined, data.operation, data.subject).message
      : denied.message;
  const hint = typeof data.hint === 'string' ? `: ${data.hint}` : '';
  return `${base}${action ? ` (${action})` : ''}${hint}`;
}
