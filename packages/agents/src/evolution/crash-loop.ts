import { CALL_OUTCOME } from '@hms/runtime/call-trace';
import type { SwarmCandidate } from './swarm-genes.js';

/**
 * A dependency that crashed again and again, as its lifecycle events showed it (the
 * `adaptive-config` cell hears `cell.started`, `cell.crashed` and `cell.escalated`): how long
 * it runs once started, what a restart costs beyond its backoff, and how long it stays down
 * once given up. None of these depends on its callers' settings or on the restart settings, so
 * the model can tell when it would be up under a candidate's restart settings, instead of
 * reading its availability from calls that callers made (or avoided) under the settings in force.
 */
export interface CrashLoop {
  /** The dependency's index in the calibration's calls (`calls.dep`). */
  dep: number;
  /** Median time it ran from a start to its next crash, in millis. */
  lifeMs: number;
  /** Median time from a crash to its restart beyond the backoff delay (the restart's own cost), in millis. */
  restartMs: number;
  /**
   * Median time it stayed down once given up (escalated) until something revived it (an operator,
   * a watchdog), in millis; null: never seen revived, so a candidate that gives up leaves it down.
   */
  revivedAfterMs: number | null;
}

/** The fewest crashes in the span that make a dependency's crash figures worth a timeline. */
export const CRASH_LOOP_MIN_CRASHES = 3;

/** One cell's lifecycle event: when (epoch millis), what, and the backoff a crash announced (millis). */
export interface LifecycleMark {
  at: number;
  kind: 'started' | 'crashed' | 'escalated';
  restartInMs?: number;
}

/** The median of `v` (not empty): the mean of the two middle values of an even count. */
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The crash figures of one cell from its lifecycle events in start order (medians: the run
 * before its first crash, healthy for minutes, is one life among them); null when it crashed
 * fewer than {@link CRASH_LOOP_MIN_CRASHES} times or never ran from a start to a crash.
 */
export function crashLoopOf(dep: number, marks: readonly LifecycleMark[]): CrashLoop | null {
  const lives: number[] = [];
  const restarts: number[] = [];
  const revivals: number[] = [];
  let crashes = 0;
  let startedAt: number | null = null;
  let crashed: LifecycleMark | null = null;
  let escalatedAt: number | null = null;
  for (const m of marks) {
    if (m.kind === 'started') {
      if (escalatedAt !== null) revivals.push(m.at - escalatedAt);
      else if (crashed?.restartInMs !== undefined) restarts.push(Math.max(0, m.at - crashed.at - crashed.restartInMs));
      startedAt = m.at;
      crashed = null;
      escalatedAt = null;
    } else if (m.kind === 'crashed') {
      crashes++;
      if (startedAt !== null) lives.push(m.at - startedAt);
      startedAt = null;
      crashed = m;
    } else escalatedAt = m.at;
  }
  if (crashes < CRASH_LOOP_MIN_CRASHES || lives.length === 0) return null;
  return {
    dep,
    lifeMs: Math.max(1, median(lives)),
    restartMs: restarts.length > 0 ? median(restarts) : 0,
    revivedAfterMs: revivals.length > 0 ? median(revivals) : null,
  };
}

/** The restart settings a timeline follows (the runtime's `RestartIntensity`, by gene). */
export interface RestartSettings {
  maxRestarts: number;
  /** The restart-intensity window, in millis. */
  periodMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** 0 exponential, 1 constant, 2 decorrelated jitter. */
  backoffShape: number;
  /** 0 rest-for-one, 1 one-for-one, 2 escalate (no restart). */
  strategy: number;
}

/** The restart settings of `candidate` over `config` (the configuration in force), with the runtime's defaults. */
export function restartSettingsOf(config: Record<string, number>, candidate: SwarmCandidate = {}): RestartSettings {
  const v = (k: string, d: number) => candidate[k] ?? config[k] ?? d;
  return {
    maxRestarts: v('supervision.maxRestarts', 5),
    periodMs: v('supervision.periodMs', 10_000),
    backoffBaseMs: v('supervision.backoffBaseMs', 5),
    backoffMaxMs: v('supervision.backoffMaxMs', 5000),
    backoffShape: v('supervision.backoffShape', 0),
    strategy: v('supervision.strategy', 0),
  };
}

/** The expected delay before the restart after the `recent`-th crash in the window (see the runtime's `backoff-shape.ts`). */
function expectedDelayMs(s: RestartSettings, recent: number, previousMs: number): number {
  if (s.backoffShape === 1) return 0.75 * Math.min(s.backoffMaxMs, s.backoffBaseMs);
  if (s.backoffShape === 2) {
    const low = Math.min(s.backoffMaxMs, s.backoffBaseMs);
    const high = Math.min(s.backoffMaxMs, Math.max(low, 3 * (recent > 1 ? previousMs : s.backoffBaseMs)));
    return (low + high) / 2;
  }
  return 0.75 * Math.min(s.backoffMaxMs, s.backoffBaseMs * 2 ** (recent - 1));
}

/** At most this many crashes are simulated in one timeline (a 1 ms life over a long window). */
const MAX_CYCLES = 100_000;

/**
 * How much each life of the timeline is drawn around the median, ± this share. The calls are
 * replayed at their recorded times, and a timeline of equal lives puts its restarts at a fixed
 * phase against periodic callers: whether a restart meets a call then depends on the lives'
 * length to the millisecond, and the GA chose restart backoffs for the phase (9 ms against 1 ms
 * at the same predicted errors) rather than for the loop. Lives ± 10% (30 ms of a 300 ms life, more
 * than callers' spacing) put each restart at a fresh phase; their mean stays the median.
 */
export const LIFE_JITTER = 0.1;

/** The `i`-th life's draw in [−1, 1): a low-discrepancy sequence (golden-ratio steps), the same for every timeline. */
function lifeDraw(i: number): number {
  return ((i * 0.6180339887498949) % 1) * 2 - 1;
}

/**
 * When `loop` would be down over [from, to) from a fresh start at `from` under restart settings
 * `s`, as ascending [start, end) pairs: it runs `lifeMs`, crashes, and restarts after the expected
 * backoff plus `restartMs` — or, past `maxRestarts` crashes within `periodMs` (at once under
 * `escalate`), stays down `revivedAfterMs` (a revival forgets the crashes, as an operator's
 * restart does), or for good when it was never seen revived. `revivedAt`: when it was first
 * revived after being given up (null: it never gave up, or was not revived, before `to`).
 */
export function downIntervals(
  loop: CrashLoop,
  s: RestartSettings,
  from: number,
  to: number,
): { down: number[]; gaveUp: boolean; revivedAt: number | null } {
  const down: number[] = [];
  const crashes: number[] = [];
  let t = from;
  let previous = 0;
  let gaveUp = false;
  let revivedAt: number | null = null;
  for (let i = 0; i < MAX_CYCLES && t < to; i++) {
    const crashAt = t + loop.lifeMs * (1 + LIFE_JITTER * lifeDraw(i));
    if (crashAt >= to) break;
    while (crashes.length > 0 && (crashes[0] as number) <= crashAt - s.periodMs) crashes.shift();
    crashes.push(crashAt);
    let upAt: number;
    if (s.strategy === 2 || crashes.length > s.maxRestarts) {
      upAt = loop.revivedAfterMs === null ? Number.POSITIVE_INFINITY : crashAt + loop.revivedAfterMs;
      if (!gaveUp && upAt < to) revivedAt = upAt;
      gaveUp = true;
      crashes.length = 0;
      previous = 0;
    } else {
      previous = expectedDelayMs(s, crashes.length, previous);
      upAt = crashAt + previous + loop.restartMs;
    }
    down.push(crashAt, Math.min(to, upAt));
    t = upAt;
  }
  return { down, gaveUp, revivedAt };
}

/**
 * The steady timeline of `loop` under `s`, for calls over [from, to): a call at `t` meets the
 * dependency down when `t' = from + (t − from) × scale` falls in a `down` pair. A dependency that
 * gives up and is revived cycles (a fresh start, its crashes, the wait to be revived): the span
 * is mapped onto whole cycles (`scale` = their length over the span's), so a short window
 * predicts the cycle's average, not whichever phase of it a fresh start at `from` would put
 * there; one never seen revived is down for good once a candidate gives up on it; one that never
 * gives up is mapped as it is (`scale` 1). Whether it gives up is looked for over at least three
 * restart-intensity windows.
 */
export function crashLoopTimeline(
  loop: CrashLoop,
  s: RestartSettings,
  from: number,
  to: number,
): { down: number[]; scale: number } {
  const span = Math.max(1, to - from);
  const first = downIntervals(loop, s, from, from + Math.max(span, 3 * s.periodMs));
  if (!first.gaveUp) return { down: first.down, scale: 1 };
  if (first.revivedAt === null) return { down: [from, from + span], scale: 1 };
  const cycle = first.revivedAt - from;
  const whole = Math.ceil(span / cycle) * cycle;
  return { down: downIntervals(loop, s, from, from + whole).down, scale: whole / span };
}

/** The share of the timeline's span that it has the dependency down, 0..1 (see {@link crashLoopTimeline}). */
export function downShare(timeline: { down: readonly number[]; scale: number }, from: number, to: number): number {
  const length = Math.max(1, to - from) * timeline.scale;
  let sum = 0;
  const { down } = timeline;
  for (let i = 0; i + 1 < down.length; i += 2) {
    const a = Math.max(from, down[i] as number);
    const b = Math.min(from + length, down[i + 1] as number);
    if (b > a) sum += b - a;
  }
  return Math.min(1, sum / length);
}

/**
 * When a crash-looping dependency is down under a candidate ({@link crashLoopTimeline}), and how it
 * answers when it is up and when it is down: what the replay of its calls goes by.
 */
export interface Downtime {
  /** Ascending [start, end) pairs, epoch millis, of the timeline's time (see `scale`). */
  down: number[];
  /** The start of the calls' span, epoch millis: a call at `t` looks up `from + (t − from) × scale`. */
  from: number;
  /** See {@link crashLoopTimeline}. */
  scale: number;
  /** Its answers when up: those that went through and did not fail outright (answered, or hung). */
  up: { ms: number[]; outcome: number[] };
  /** How long a call took to fail while it was down (no responders), in millis; default 1. */
  failMs: number;
}

/**
 * The {@link Downtime} of each of `loops` over the span of `calls` under restart settings `s`,
 * by dependency index. Its answers when up are those in `answers` that were answered or hung
 * (a failure outright is taken for a call that met it down: an error reply from a running
 * dependency is lost); its failures' median time is how long a call takes to fail while it is
 * down. A loop none of whose answers came while it was up is left out (nothing says how it
 * would answer).
 */
export function downtimesOf(
  loops: readonly CrashLoop[] | undefined,
  calls: { at: readonly number[] },
  answers: { dep: readonly number[]; ms: readonly number[]; outcome: readonly number[] },
  s: RestartSettings,
): Map<number, Downtime> | undefined {
  if (!loops || loops.length === 0 || calls.at.length === 0) return undefined;
  const from = calls.at[0] as number;
  const to = (calls.at[calls.at.length - 1] as number) + 1;
  const out = new Map<number, Downtime>();
  for (const loop of loops) {
    const up: Downtime['up'] = { ms: [], outcome: [] };
    const failed: number[] = [];
    for (let i = 0; i < answers.dep.length; i++) {
      if (answers.dep[i] !== loop.dep) continue;
      const outcome = answers.outcome[i] as number;
      if (outcome === CALL_OUTCOME.ok || outcome === CALL_OUTCOME.timeout) {
        up.ms.push(answers.ms[i] as number);
        up.outcome.push(outcome);
      } else if (outcome === CALL_OUTCOME.failed) failed.push(answers.ms[i] as number);
    }
    if (up.ms.length === 0) continue;
    failed.sort((a, b) => a - b);
    out.set(loop.dep, {
      ...crashLoopTimeline(loop, s, from, to),
      from,
      up,
      failMs: failed[Math.floor(failed.length / 2)] ?? 1,
    });
  }
  return out;
}
