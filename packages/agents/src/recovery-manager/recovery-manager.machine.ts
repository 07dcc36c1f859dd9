import { assign, setup } from 'xstate';

/** One healing action, as nodes publish it on `heal.action`. */
export interface HealingAction {
  /** Epoch millis when it was recorded. */
  at: number;
  cell: string;
  node: string;
  /** `restart`, `restart-dependent`, `manual-restart` or `escalate`. */
  action: string;
  why: string;
  /** `ok`, `failed` or `gave-up`. */
  outcome: string;
  durationMs: number;
}

export interface RecoveryManagerContext {
  /** The latest actions, oldest first, at most `keep`. */
  recent: HealingAction[];
  byCell: Record<string, { actions: number; failed: number; escalations: number; last: string }>;
  totals: Record<string, number>;
}

/**
 * The recovery manager's machine: a bounded record of every healing action in the swarm (what,
 * why, outcome, duration), per cell and in total. Its context is its snapshot, so the record
 * survives restarts and moves.
 */
export function createRecoveryManagerMachine(keep: number, now: () => number) {
  return setup({
    types: {
      context: {} as RecoveryManagerContext,
      events: {} as
        | {
            type: 'heal.action';
            from: string;
            node?: string;
            action?: string;
            why?: string;
            outcome?: string;
            durationMs?: number;
          }
        | { type: 'status' },
    },
  }).createMachine({
    id: 'recovery-manager',
    context: { recent: [], byCell: {}, totals: {} },
    on: {
      'heal.action': {
        actions: assign(({ context, event }) => {
          const action: HealingAction = {
            at: now(),
            cell: event.from,
            node: String(event.node ?? ''),
            action: String(event.action ?? 'unknown'),
            why: String(event.why ?? ''),
            outcome: String(event.outcome ?? 'unknown'),
            durationMs: Number(event.durationMs ?? 0),
          };
          const cell = context.byCell[action.cell] ?? { actions: 0, failed: 0, escalations: 0, last: '' };
          return {
            recent: [...context.recent, action].slice(-keep),
            byCell: {
              ...context.byCell,
              [action.cell]: {
                actions: cell.actions + 1,
                failed: cell.failed + (action.outcome === 'failed' ? 1 : 0),
                escalations: cell.escalations + (action.action === 'escalate' ? 1 : 0),
                last: `${action.action}: ${action.outcome}`,
              },
            },
            totals: { ...context.totals, [action.action]: (context.totals[action.action] ?? 0) + 1 },
          };
        }),
      },
    },
  });
}
