import { type CellContext, EVOLUTION_EVENT, type PopulationState } from '@hms/runtime';
import { assign, emit, not, sendTo, setup } from 'xstate';
import { decodeSwarmGenome } from '../evolution/swarm-genes.js';
import type { EvolutionLoopEvent, IslandProgress, MigrantsMessage } from './events.js';
import { type IslandConfig, type IslandSettings, parseSettingsChange } from './island-config.js';
import { createIslandEvolution } from './island-evolution.js';

/** Best fitness values kept for the sparkline of `hms evolve status`. */
const HISTORY_MAX = 64;

/** What an island keeps (and persists in its snapshot: the checkpoint is the population). */
export interface IslandContext {
  settings: IslandSettings;
  generation: number;
  evaluations: number;
  best: number | null;
  mean: number | null;
  diversity: number | null;
  mutationRate: number | null;
  /** Best fitness at each report, oldest first, halved in resolution when full. */
  history: number[];
  /** The population at the last report: a restarted or re-placed island resumes from it. */
  checkpoint: PopulationState | null;
  bestGenome: number[] | null;
  /** The swarm objective's best as a configuration, edge genes included (absent from older snapshots). */
  bestCandidate?: Record<string, number> | null;
  migrantsIn: number;
  migrantsOut: number;
  /** Nodes and cells the health monitor reports degraded; while any are, mutation is boosted. */
  degraded: string[];
  /** The generation of the checkpoint the island last resumed from (after a restart or a move); null: never resumed. */
  resumedFrom: number | null;
}

/** Events an island takes from NATS. */
export type IslandEvent =
  | EvolutionLoopEvent
  | ({ type: 'ga.migrants' } & MigrantsMessage)
  | { type: 'ga.stop' }
  | { type: 'ga.configure'; set: Record<string, unknown> }
  | { type: 'health.changed'; kind: string; id: string; to: string }
  | { type: 'status' };

/** Statuses that are not degraded: a node that left or a cell that was stopped is gone, not sick. */
const HEALTHY = new Set(['alive', 'left', 'running', 'starting', 'stopped']);

/** The mutation boost while `degraded` nodes or cells are unhealthy: 1, up to 3 (more exploration). */
export function healthBoost(degraded: readonly string[]): number {
  return 1 + 0.5 * Math.min(4, degraded.length);
}

function withHistory(history: number[], best: number): number[] {
  const next = [...history, best];
  return next.length > HISTORY_MAX ? next.filter((_, i) => i % 2 === 1 || i === next.length - 1) : next;
}

/**
 * A GA island: evolves its population (the native engine, in {@link createIslandEvolution}),
 * exchanges migrants with its neighbours, checkpoints it in its snapshot, and publishes
 * `ga.progress` (statistics per generation) and, at its last generation, `ga.done` with its best.
 * `ga.stop` stops it for good; `ga.configure` changes settings live (more generations revive a
 * finished island); degraded swarm health boosts its mutation rate.
 */
export function createIslandMachine(cell: CellContext<IslandConfig>) {
  const config = cell.config;
  const decoded = (genome: number[] | null) =>
    genome && config.objective === 'swarm' ? decodeSwarmGenome(genome) : genome;
  return setup({
    types: {
      context: {} as IslandContext,
      events: {} as IslandEvent,
      emitted: {} as { type: string; [key: string]: unknown },
    },
    actors: { evolution: createIslandEvolution(cell) },
    guards: {
      validSettings: ({ context, event }) => {
        try {
          parseSettingsChange((event as { set?: unknown }).set, context.settings);
          return true;
        } catch {
          return false;
        }
      },
      /** A valid change that asks for more generations than a finished island has run. */
      revivesRun: ({ context, event }) => {
        try {
          return (
            parseSettingsChange((event as { set?: unknown }).set, context.settings).generations > context.generation
          );
        } catch {
          return false;
        }
      },
    },
    actions: {
      refuseSettings: ({ event }) =>
        cell.logger.warn({ set: (event as { set?: unknown }).set }, 'island settings refused: not valid'),
      absorb: assign(({ context, event }) => {
        const p = event as unknown as IslandProgress;
        return {
          generation: p.stats.generation,
          evaluations: p.stats.evaluations,
          best: p.stats.best,
          mean: p.stats.mean,
          diversity: p.stats.diversity,
          mutationRate: p.stats.mutationRate,
          history: withHistory(context.history, p.stats.best),
          checkpoint: p.checkpoint,
          bestGenome: p.bestGenome,
          // Named by the last report only; a progress report leaves the last one named.
          bestCandidate: p.candidate ?? context.bestCandidate ?? null,
          migrantsIn: p.migrantsIn,
          migrantsOut: p.migrantsOut,
        };
      }),
      progress: emit(({ event }) => {
        const p = event as unknown as IslandProgress;
        return {
          type: EVOLUTION_EVENT.progress,
          run: config.run,
          island: config.index,
          ...p.rows,
          evaluations: p.stats.evaluations,
          mutationRate: p.stats.mutationRate,
        };
      }),
      done: emit(({ context }) => ({
        type: EVOLUTION_EVENT.done,
        run: config.run,
        island: config.index,
        islands: config.islands,
        objective: config.objective,
        generation: context.generation,
        evaluations: context.evaluations,
        best: context.best,
        bestGenome: context.bestGenome,
        ...(config.objective === 'swarm' ? { candidate: context.bestCandidate ?? decoded(context.bestGenome) } : {}),
      })),
      configure: assign({
        settings: ({ context, event }) =>
          parseSettingsChange((event as { set: Record<string, unknown> }).set, context.settings),
      }),
      fail: ({ event }) => {
        throw new Error(`island evolution failed: ${(event as { error: string }).error}`);
      },
      noteHealth: assign({
        degraded: ({ context, event }) => {
          const e = event as { id: string; to: string };
          const rest = context.degraded.filter((id) => id !== e.id);
          return HEALTHY.has(e.to) ? rest : [...rest, e.id];
        },
      }),
    },
  }).createMachine({
    id: 'ga-island',
    context: {
      settings: {
        generations: config.generations,
        topology: config.topology,
        migrationInterval: config.migrationInterval,
        migrants: config.migrants,
        migrationWaitMs: config.migrationWaitMs,
        parameters: config.parameters,
      },
      generation: 0,
      evaluations: 0,
      best: null,
      mean: null,
      diversity: null,
      mutationRate: null,
      history: [],
      checkpoint: null,
      bestGenome: null,
      migrantsIn: 0,
      migrantsOut: 0,
      degraded: [],
      resumedFrom: null,
    },
    initial: 'evolving',
    on: { 'health.changed': { actions: 'noteHealth' } },
    states: {
      evolving: {
        invoke: { id: 'evolution', src: 'evolution' },
        on: {
          'ga.ready': {
            actions: [
              assign({ resumedFrom: ({ context }) => context.checkpoint?.generation ?? context.resumedFrom }),
              sendTo('evolution', ({ context }) => ({
                type: 'ga.resume' as const,
                checkpoint: context.checkpoint,
                settings: context.settings,
                boost: healthBoost(context.degraded),
                migrantsIn: context.migrantsIn,
                migrantsOut: context.migrantsOut,
              })),
            ],
          },
          'ga.progressed': { actions: ['absorb', 'progress'] },
          'ga.finished': { target: 'done', actions: ['absorb', 'progress', 'done'] },
          'ga.failed': { actions: 'fail' },
          'ga.migrants': { actions: sendTo('evolution', ({ event }) => event) },
          'ga.configure': [
            {
              guard: 'validSettings',
              actions: [
                'configure',
                sendTo('evolution', ({ context }) => ({ type: 'ga.settings' as const, settings: context.settings })),
              ],
            },
            // Taken and refused: the requester gets the reason from the cell's reply.
            { actions: 'refuseSettings' },
          ],
          'ga.stop': { target: 'stopped' },
          'health.changed': {
            actions: [
              'noteHealth',
              sendTo('evolution', ({ context }) => ({
                type: 'ga.boost' as const,
                boost: healthBoost(context.degraded),
              })),
            ],
          },
        },
      },
      done: {
        on: {
          'ga.configure': [
            {
              guard: 'revivesRun',
              target: 'evolving',
              actions: 'configure',
            },
            { guard: 'validSettings', actions: 'configure' },
            { actions: 'refuseSettings' },
          ],
        },
      },
      // A stopped island takes no settings: a valid change is a dead letter, a bad one is refused
      // with its reason.
      stopped: { on: { 'ga.configure': { guard: not('validSettings'), actions: 'refuseSettings' } } },
    },
  });
}

/** The status of an island as `hms evolve status` shows it. */
export function islandStatus(
  cell: Pick<CellContext<IslandConfig>, 'id' | 'node' | 'config'>,
  snapshot: { value: unknown; context: IslandContext },
) {
  const { config } = cell;
  const c = snapshot.context;
  return {
    id: cell.id,
    node: cell.node,
    run: config.run,
    index: config.index,
    state: String(snapshot.value),
    objective: config.objective,
    generation: c.generation,
    generations: c.settings.generations,
    evaluations: c.evaluations,
    best: c.best,
    mean: c.mean,
    diversity: c.diversity,
    mutationRate: c.mutationRate,
    migrantsIn: c.migrantsIn,
    migrantsOut: c.migrantsOut,
    history: c.history,
    resumedFrom: c.resumedFrom,
    bestGenome:
      c.bestGenome && config.objective === 'swarm'
        ? (c.bestCandidate ?? decodeSwarmGenome(c.bestGenome))
        : c.bestGenome,
  };
}
