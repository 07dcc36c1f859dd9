import {
  createSilentLogger,
  createSubjects,
  EVOLUTION_EVENT,
  EVOLUTION_LOG,
  EventLog,
  type Transport,
} from '@hms/runtime';
import { createListeners, type Feed } from './feed.js';

/** One GA island as the evolution view shows it. */
export interface IslandRow {
  /** `<run>/<island index>`. */
  key: string;
  run: string;
  island: number;
  generation: number;
  best: number;
  mean: number;
  diversity: number;
  /** Best fitness per generation reported, oldest first (at most {@link HISTORY}). */
  history: number[];
}

/** What the evolution view shows. */
export interface EvolutionSnapshot {
  islands: IslandRow[];
  /** Latest trials of the swarm objective (`evolve.applied|kept|rolledback`), newest first. */
  trials: Array<{ at: number; type: string; text: string }>;
}

/** Generations kept per island for the chart. */
export const HISTORY = 200;

interface ProgressBody {
  run?: string;
  island?: number;
  generation?: number[];
  best?: number[];
  mean?: number[];
  diversity?: number[];
}

/**
 * Per-island statistics from `ga.progress` events (each carries every generation since the
 * island's previous report): the recent history read once from the evolution stream, then live.
 */
export function createEvolutionFeed(transport: Transport, swarm: string): Feed<EvolutionSnapshot> {
  const subjects = createSubjects(swarm);
  const listeners = createListeners();
  const islands = new Map<string, IslandRow>();
  const trials: EvolutionSnapshot['trials'] = [];

  const apply = (type: string, body: Record<string, unknown>, at: number) => {
    if (type === EVOLUTION_EVENT.progress) {
      const p = body as ProgressBody;
      const n = p.generation?.length ?? 0;
      if (n === 0 || p.run === undefined || p.island === undefined) return;
      const key = `${p.run}/${p.island}`;
      const row = islands.get(key) ?? {
        key,
        run: p.run,
        island: p.island,
        generation: 0,
        best: 0,
        mean: 0,
        diversity: 0,
        history: [],
      };
      row.generation = p.generation?.[n - 1] ?? row.generation;
      row.best = p.best?.[n - 1] ?? row.best;
      row.mean = p.mean?.[n - 1] ?? row.mean;
      row.diversity = p.diversity?.[n - 1] ?? row.diversity;
      row.history = [...row.history, ...(p.best ?? [])].slice(-HISTORY);
      islands.set(key, row);
    } else if (type.startsWith('evolve.')) {
      const text = Object.entries(body)
        .filter(([, v]) => typeof v !== 'object')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      trials.unshift({ at, type, text });
      trials.length = Math.min(trials.length, 20);
    }
  };

  const subs = EVOLUTION_LOG.events.map((t) =>
    transport.subscribe(subjects.eventPattern(t), (msg) => {
      apply(msg.type, (msg.body ?? {}) as Record<string, unknown>, Date.now());
      listeners.emit();
    }),
  );
  void EventLog.open(transport, swarm, EVOLUTION_LOG, createSilentLogger())
    .then((log) => log.recent(200))
    .then((recent) => {
      for (const e of recent) apply(e.type, e.body, e.at);
      listeners.emit();
    })
    .catch(() => {});

  return {
    snapshot: () => ({
      islands: [...islands.values()].sort((a, b) => a.key.localeCompare(b.key)),
      trials: [...trials],
    }),
    subscribe: listeners.add,
    stop: () => {
      for (const s of subs) s.unsubscribe();
    },
  };
}
