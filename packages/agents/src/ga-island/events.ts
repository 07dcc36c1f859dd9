import type { PopulationState, PopulationStats } from '@hms/runtime';
import type { IslandSettings } from './island-config.js';

/** Migrants as sent on `hms.<swarm>.ga.<islandId>.migrants`. */
export interface MigrantsMessage {
  run: string;
  /** The sending island's index (`from`, as in every event, is the sending cell's id). */
  source: number;
  /** The migration they belong to: generation / migrationInterval. */
  epoch: number;
  dim: number;
  /** count × dim genes, row-major. */
  genomes: number[];
  fitness: number[];
}

/** Statistics of every generation since the previous report (column-wise). */
export interface GenerationRows {
  generation: number[];
  best: number[];
  mean: number[];
  diversity: number[];
}

/** What the evolution loop reports to its island's machine. */
export interface IslandProgress {
  stats: PopulationStats;
  rows: GenerationRows;
  checkpoint: PopulationState;
  bestGenome: number[];
  /** The swarm objective's best as a configuration (its edge genes as scoped keys); absent for a benchmark objective. */
  candidate?: Record<string, number>;
  migrantsIn: number;
  migrantsOut: number;
}

/** Events between an island's machine and its evolution loop. */
export type EvolutionLoopEvent =
  | { type: 'ga.ready' }
  | ({ type: 'ga.progressed' } & IslandProgress)
  | ({ type: 'ga.finished' } & IslandProgress)
  | { type: 'ga.failed'; error: string };

/** Starts (or resumes from its last checkpoint) an island's evolution. */
export interface ResumeEvent {
  type: 'ga.resume';
  checkpoint: PopulationState | null;
  settings: IslandSettings;
  boost: number;
  migrantsIn: number;
  migrantsOut: number;
}

export type EvolutionControlEvent =
  | ResumeEvent
  | ({ type: 'ga.migrants' } & MigrantsMessage)
  | { type: 'ga.settings'; settings: IslandSettings }
  | { type: 'ga.boost'; boost: number };
