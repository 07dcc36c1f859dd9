/** The cell type of a GA island (`packages/agents/src/ga-island`). */
export const GA_ISLAND_TYPE = 'ga-island';

/** The cell type that applies evolved configurations and rolls back those that do worse. */
export const ADAPTIVE_CONFIG_TYPE = 'adaptive-config';

/** Events of the evolution, all kept in the evolution log (stream `hms-<swarm>-evolution`). */
export const EVOLUTION_EVENT = {
  /** An island's statistics for every generation since its previous progress event. */
  progress: 'ga.progress',
  /** An island reached its last generation: its best genome and fitness. */
  done: 'ga.done',
  /** A run was started by the leader. */
  started: 'evolve.started',
  /** A run was stopped. */
  stopped: 'evolve.stopped',
  /** A candidate configuration was applied live, on trial. */
  applied: 'evolve.applied',
  /** A candidate did better than the configuration before it, over the measuring window: kept. */
  kept: 'evolve.kept',
  /**
   * A candidate did not pass the keep rule (its fitness not better, or a component worse by more
   * than 10%): the previous configuration was restored.
   */
  rolledBack: 'evolve.rolledback',
  /** A run's candidate was not tried live: its predicted gain is within the model's recent error. */
  skipped: 'evolve.skipped',
  /** A measured trial taught the swarm model a residual (measured minus predicted change) where it was made. */
  recalibrated: 'evolve.recalibrated',
  /**
   * A run's first generation was seeded with edge settings kept for another edge to the same
   * callee type (cross-pollination): `{ run, seeds: [{ from, to, set }] }`.
   */
  seeded: 'evolve.seeded',
  /**
   * The adaptive-config cell decided about a self-started run: `decision: 'start'` (why: a
   * fitness drop or the schedule), `'held'` (a reason not to start, published the first time it
   * holds), `'failed'` (the leader refused it) or `'resumed'` (auto evolution turned on or off).
   */
  auto: 'evolve.auto',
} as const;

/** Body of `evolve.start`. */
export interface EvolveStartRequest {
  /** The run's id, one subject token; default `r<6 hex>`. Islands are `ga-<run>-<index>`. */
  run?: string;
  /** How many islands, 1..64. */
  islands: number;
  /** Every island's configuration (validated by the `ga-island` cell type); `run`, `index` and `islands` are added. */
  island: Record<string, unknown>;
  /**
   * Who starts it: `operator` (default; replaces a previous run) or `auto` (the adaptive-config
   * cell; refused with BusyError while the leader rebalances or an island of a run evolves).
   */
  by?: 'operator' | 'auto';
  /** Why, for the evolution log (a self-started run: `drop …` or `schedule`). */
  reason?: string;
}

/** What `evolve.start` answers. */
export interface EvolveStarted {
  run: string;
  islands: Array<{ id: string; node: string }>;
}

/** One island as `hms evolve status` shows it (the island cell's answer to `status`). */
export interface IslandStatus {
  id: string;
  node: string;
  run: string;
  index: number;
  /** evolving, done, stopped, or unreachable. */
  state: string;
  objective: string;
  generation: number;
  generations: number;
  evaluations: number;
  best: number | null;
  mean: number | null;
  diversity: number | null;
  mutationRate: number | null;
  migrantsIn: number;
  migrantsOut: number;
  /** Best fitness at each progress report, oldest first (at most 64). */
  history: number[];
  /** The generation of the checkpoint it last resumed from (after a restart or a move to another node); null: never. */
  resumedFrom: number | null;
  /** The best genome, decoded (for the swarm objective: the configuration it stands for). */
  bestGenome: number[] | Record<string, number> | null;
}

/** What `evolve.status` answers. */
export interface EvolutionStatus {
  run: string | null;
  islands: IslandStatus[];
  /** The adaptive-config cell's trials (applied, kept, rolled back), when there is one. */
  tuning: unknown;
}
