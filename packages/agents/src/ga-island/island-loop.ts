import {
  createPopulation,
  type Population,
  type PopulationOptions,
  type PopulationStats,
  restorePopulation,
} from '@hms/runtime/native-population';
import { genomeBounds, SWARM_GENOME_DIM } from '../evolution/swarm-genes.js';
import type { SwarmCalibration } from '../evolution/swarm-model.js';
import type { EvolutionLoopEvent, GenerationRows, MigrantsMessage, ResumeEvent } from './events.js';
import type { IslandConfig, IslandSettings } from './island-config.js';
import { createMigrationSchedule } from './migration-schedule.js';
import { seedIndividuals, swarmCandidateOf, swarmObjective } from './swarm-objective.js';

/**
 * The longest the loop runs before yielding the event loop, in millis: whatever else shares
 * its thread waits at most this long (plus one generation) for its turn.
 */
const CHUNK_MS = 5;
/** The shortest time between two progress reports, in millis. */
const REPORT_MS = 200;
/** At most this many generation rows per report; above it every k-th is kept. */
const MAX_ROWS = 2000;

/** What the loop does outside itself: reports to its island, migrants to other islands, log lines. */
export interface IslandLoopOutlet {
  report(event: EvolutionLoopEvent): void;
  sendMigrants(islandId: string, message: MigrantsMessage): void;
  log(level: 'info' | 'error', fields: Record<string, unknown>, message: string): void;
}

/** A message from the island to its loop: the resume carries the swarm objective's calibration. */
export type IslandLoopMessage =
  | (ResumeEvent & { calibration?: SwarmCalibration })
  | ({ type: 'ga.migrants' } & MigrantsMessage)
  | { type: 'ga.settings'; settings: IslandSettings }
  | { type: 'ga.boost'; boost: number };

/** The native population options of an island. */
export function populationOptions(config: IslandConfig, settings: IslandSettings, boost: number): PopulationOptions {
  const seed = (config.seed + Math.imul(config.index + 1, 0x9e3779b1)) >>> 0;
  const parameters = { ...settings.parameters, mutationBoost: (settings.parameters.mutationBoost ?? 1) * boost };
  if (config.objective === 'swarm') {
    const { lower, upper } = genomeBounds();
    return {
      ...parameters,
      dim: SWARM_GENOME_DIM,
      size: config.population,
      seed,
      lower,
      upper,
      integer: lower.map(() => true),
    };
  }
  return {
    ...parameters,
    dim: config.dim,
    size: config.population,
    seed,
    objective: config.objective,
    problemSeed: config.seed,
    shift: true,
    rotate: config.rotate,
  };
}

/**
 * The evolution loop of an island, which owns the native population: after `ga.resume` (with
 * the last checkpoint) it steps generations in chunks that yield the event loop, sends its best
 * individuals to its neighbours every `migrationInterval` generations and waits (at most
 * `migrationWaitMs`) for theirs, replacing its worst, and reports progress with a checkpoint at
 * most every 200 ms. It runs in the island's worker thread (`island-worker.ts`).
 */
export function createIslandLoop(config: IslandConfig, outlet: IslandLoopOutlet) {
  let pop: Population | undefined;
  let settings: IslandSettings = config;
  let schedule = createMigrationSchedule(config.topology, config.islands, config.seed);
  let evaluate: ((genomes: Float64Array, count: number) => Float64Array) | undefined;
  /** The swarm objective's calibration (its edges decode the best genome); none for a benchmark objective. */
  let calibration: SwarmCalibration | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let rows: GenerationRows = { generation: [], best: [], mean: [], diversity: [] };
  let lastReport = 0;
  let migrantsIn = 0;
  let migrantsOut = 0;
  const inbox: MigrantsMessage[] = [];
  let waiting: { epoch: number; deadline: number; sources: number[] } | null = null;

  /** A report; the last one (`final`) also names the best as a configuration (pruning it costs a few model replays). */
  const progress = (final = false) => {
    const p = pop as Population;
    const bestGenome = Array.from(p.best().genome);
    const out = {
      stats: p.stats(),
      rows,
      checkpoint: p.exportState(),
      bestGenome,
      ...(final && calibration ? { candidate: swarmCandidateOf(calibration, bestGenome) } : {}),
      migrantsIn,
      migrantsOut,
    };
    rows = { generation: [], best: [], mean: [], diversity: [] };
    lastReport = Date.now();
    return out;
  };

  const record = (s: PopulationStats) => {
    if (rows.generation.length >= MAX_ROWS) {
      // Keep every other row, so a long report still spans every generation since the last.
      for (const k of ['generation', 'best', 'mean', 'diversity'] as const)
        rows[k] = rows[k].filter((_, i) => i % 2 === 0);
    }
    rows.generation.push(s.generation);
    rows.best.push(s.best);
    rows.mean.push(s.mean);
    rows.diversity.push(s.diversity);
  };

  const absorb = (upToEpoch: number) => {
    for (let i = inbox.length - 1; i >= 0; i--) {
      const m = inbox[i] as MigrantsMessage;
      if (m.epoch > upToEpoch) continue;
      inbox.splice(i, 1);
      migrantsIn += (pop as Population).importMigrants({
        genomes: Float64Array.from(m.genomes),
        fitness: Float64Array.from(m.fitness),
      });
    }
  };

  const migrate = (generation: number) => {
    const p = pop as Population;
    const epoch = generation / settings.migrationInterval;
    const best = p.exportMigrants(Math.min(settings.migrants, config.population));
    const message: MigrantsMessage = {
      run: config.run,
      source: config.index,
      epoch,
      dim: config.dim,
      genomes: Array.from(best.genomes),
      fitness: Array.from(best.fitness),
    };
    for (const t of schedule.targets(config.index, epoch)) {
      outlet.sendMigrants(`ga-${config.run}-${t}`, message);
      migrantsOut += best.fitness.length;
    }
    const sources = schedule.sources(config.index, epoch);
    if (sources.length > 0) waiting = { epoch, deadline: Date.now() + settings.migrationWaitMs, sources };
  };

  /** The machine fails on it: the cell crashes and its supervisor restarts it from the last checkpoint. */
  const fail = (err: unknown) => {
    stopped = true;
    outlet.log('error', { err: err instanceof Error ? err.message : String(err) }, 'island evolution failed');
    outlet.report({
      type: 'ga.failed',
      error: err instanceof Error ? err.message : String(err),
    } satisfies EvolutionLoopEvent);
  };

  const loop = () => {
    try {
      step();
    } catch (err) {
      fail(err);
    }
  };

  const step = () => {
    timer = undefined;
    if (stopped || !pop) return;
    if (waiting) {
      const w = waiting;
      const arrived = new Set(inbox.filter((m) => m.epoch === w.epoch).map((m) => m.source));
      if (w.sources.some((s) => !arrived.has(s)) && Date.now() < w.deadline) {
        timer = setTimeout(loop, 2);
        return;
      }
      absorb(w.epoch);
      waiting = null;
    }
    const started = performance.now();
    while (performance.now() - started < CHUNK_MS) {
      if (pop.stats().generation >= settings.generations) {
        outlet.report({ type: 'ga.finished', ...progress(true) } satisfies EvolutionLoopEvent);
        stopped = true;
        return;
      }
      const stats = evaluate ? pop.stepWith(1, evaluate) : pop.step(1);
      record(stats);
      if (settings.migrants > 0 && config.islands > 1 && stats.generation % settings.migrationInterval === 0) {
        migrate(stats.generation);
        if (waiting) break;
      }
    }
    if (Date.now() - lastReport >= REPORT_MS)
      outlet.report({ type: 'ga.progressed', ...progress() } satisfies EvolutionLoopEvent);
    timer = waiting ? setTimeout(loop, 2) : setImmediate(loop);
  };

  const start = (e: Extract<IslandLoopMessage, { type: 'ga.resume' }>) => {
    settings = e.settings;
    schedule = createMigrationSchedule(settings.topology, config.islands, config.seed);
    migrantsIn = e.migrantsIn;
    migrantsOut = e.migrantsOut;
    if (e.calibration) {
      calibration = e.calibration;
      evaluate = swarmObjective(e.calibration, config.dim);
    }
    const options = populationOptions(config, settings, e.boost);
    pop = e.checkpoint ? restorePopulation(options, e.checkpoint) : createPopulation(options);
    // A new run's first generation takes the seeds (settings kept for one edge, offered to a similar one).
    const seeds = !e.checkpoint && calibration ? seedIndividuals(calibration, config.dim) : undefined;
    if (seeds) pop.importMigrants(seeds);
    outlet.log('info', { generation: pop.stats().generation, resumed: e.checkpoint !== null }, 'island evolving');
    loop();
  };

  return {
    receive(message: IslandLoopMessage): void {
      if (stopped) return;
      switch (message.type) {
        case 'ga.resume':
          try {
            start(message);
          } catch (err) {
            fail(err);
          }
          return;
        case 'ga.migrants':
          inbox.push(message);
          return;
        case 'ga.settings':
          settings = message.settings;
          schedule = createMigrationSchedule(settings.topology, config.islands, config.seed);
          pop?.setParameters(settings.parameters);
          return;
        case 'ga.boost':
          pop?.setParameters({ mutationBoost: (settings.parameters.mutationBoost ?? 1) * message.boost });
          return;
      }
    },
    stop(): void {
      stopped = true;
      if (timer) {
        clearTimeout(timer as NodeJS.Timeout);
        clearImmediate(timer as NodeJS.Immediate);
      }
    },
  };
}
