/**
 * What a node's supervisor does when a cell crashes: the `supervision.strategy` setting (a
 * strategy gene evolution may choose, applied live by every node).
 *
 * - `rest-for-one` (0, the default): the crashed cell restarts after its backoff, and the cells
 *   that declared it in `dependsOn` restart with it (they may hold state derived from it).
 * - `one-for-one` (1): only the crashed cell restarts; its dependents keep running (for cells
 *   whose dependents hold nothing that a restart of the dependency invalidates: restarting them
 *   costs their availability for nothing).
 * - `escalate` (2): no restart: the crashed cell is left `failed` and `cell.escalated` is
 *   published at its first crash (for a crash that a restart will not cure, so an operator or
 *   a watchdog — `hms heal trigger` — decides, and the restarts' load is spared).
 */
export const SUPERVISION_STRATEGIES = ['rest-for-one', 'one-for-one', 'escalate'] as const;
export type SupervisionStrategy = (typeof SUPERVISION_STRATEGIES)[number];

/** The strategy a `supervision.strategy` value stands for (out of range: rest-for-one). */
export function supervisionStrategyOf(value: number | undefined): SupervisionStrategy {
  return SUPERVISION_STRATEGIES[value ?? 0] ?? 'rest-for-one';
}
