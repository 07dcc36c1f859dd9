import { defineCell, RECOVERY_MANAGER_TYPE, ValidationError } from '@hms/runtime';
import { createRecoveryManagerMachine } from './recovery-manager.machine.js';

/**
 * `recovery-manager`: records every healing action of the swarm (restarts, rest-for-one
 * restarts, operator restarts, escalations) with why, outcome and duration. The restarts
 * themselves run on each node, next to the cell, so they take milliseconds; the strategy is
 * the swarm configuration (`hms heal configure`). A request answers
 * `{ totals, byCell, recent }` — what `hms heal status` shows.
 */
export const recoveryManagerCell = defineCell({
  type: RECOVERY_MANAGER_TYPE,
  queries: ['status'],
  description: 'records every healing action: what, why, outcome, duration',
  config: (raw) => {
    const keep = (raw as { keep?: unknown } | undefined)?.keep ?? 200;
    if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1 || keep > 10_000) {
      throw new ValidationError('recovery-manager config.keep must be a whole number from 1 to 10000', {
        data: { field: 'keep' },
      });
    }
    return { keep };
  },
  topics: () => [{ event: 'heal.action' }],
  machine: (cell) => createRecoveryManagerMachine(cell.config.keep, () => cell.clock.now()),
  reply: (snapshot) => ({
    totals: snapshot.context.totals,
    byCell: snapshot.context.byCell,
    recent: snapshot.context.recent.slice(-20),
  }),
});
