import { describe, expect, it } from 'vitest';
import {
  AUTO_RETRY_MS,
  type AutoEvolutionSettings,
  type AutoEvolutionState,
  type AutoObservation,
  baselineOf,
  decideAutoEvolution,
  initialAutoEvolution,
  isDrop,
  MAX_RUNS_PER_DROP,
  noteAutoQuiet,
  noteAutoRefused,
  noteAutoStarted,
} from '../src/adaptive-config/auto-evolution.js';

const SETTINGS: AutoEvolutionSettings = {
  enabled: true,
  dropPct: 10,
  scheduleMs: 0,
  baselineMs: 60_000,
  cooldownMs: 30_000,
  confirmMs: 0,
};
const OK: Omit<AutoObservation, 'now' | 'fitness'> = { leader: 'n1', rebalancing: false, busy: null };

/** Ticks once a second from `from`, at `fitness`, returning the state and every decision. */
function run(
  state: AutoEvolutionState,
  from: number,
  fitness: number[],
  over: Partial<AutoObservation> = {},
  settings = SETTINGS,
) {
  const decisions = [];
  let s = state;
  for (const [i, f] of fitness.entries()) {
    const out = decideAutoEvolution(s, settings, { ...OK, now: from + i * 1000, fitness: f, ...over });
    s = out.state;
    if (out.decision) decisions.push(out.decision);
  }
  return { state: s, decisions };
}

const steady = (n: number, f = 0.8) => Array.from({ length: n }, () => f);

describe('auto-evolution', () => {
  it('starts a run when fitness falls more than the threshold below its baseline, once', () => {
    const learned = run(initialAutoEvolution(), 0, steady(10));
    expect(learned.decisions).toEqual([]);
    const dropped = run(learned.state, 10_000, [0.75, 0.6]);
    expect(dropped.decisions).toHaveLength(1);
    expect(dropped.decisions[0]).toMatchObject({ action: 'start', baseline: expect.closeTo(0.8, 1), fitness: 0.6 });
    expect((dropped.decisions[0] as { reason: string }).reason).toMatch(
      /^drop: fitness 0\.600 is 25% below baseline 0\.800/,
    );
    expect(dropped.state.last).toMatchObject({ at: 11_000, run: null, outcome: 'starting' });
  });

  it('starts a run only once the drop has lasted confirmMs, and calibrates it from the drop on', () => {
    const settings = { ...SETTINGS, confirmMs: 3000 };
    const learned = run(initialAutoEvolution(), 0, steady(10), {}, settings);
    // A slow moment, then back: no run.
    expect(run(learned.state, 10_000, [0.5, 0.5, 0.8, 0.8], {}, settings).decisions).toEqual([]);
    const sustained = run(learned.state, 10_000, steady(4, 0.5), {}, settings);
    expect(sustained.decisions.map((d) => d?.action)).toEqual(['start']);
    expect(sustained.state.last).toMatchObject({ at: 13_000, since: 10_000 });
  });

  const noDrop: Array<[string, number[]]> = [
    ['a fall within the threshold', [0.73, 0.73]],
    ['a rise', [0.95]],
    ['no calls measured', []],
  ];
  it.each(noDrop)('starts nothing on %s', (_what, after) => {
    const learned = run(initialAutoEvolution(), 0, steady(10));
    expect(run(learned.state, 10_000, after).decisions).toEqual([]);
  });

  it('needs a baseline of a few measurements before a drop counts', () => {
    expect(run(initialAutoEvolution(), 0, [0.8, 0.8, 0.4]).decisions).toEqual([]);
  });

  it('does not lower its baseline with the drop itself, however long the drop lasts', () => {
    const learned = run(initialAutoEvolution(), 0, steady(10));
    const held = run(learned.state, 10_000, steady(20, 0.5), { busy: 'run r1 under way' });
    expect(held.decisions).toEqual([
      { action: 'held', reason: 'run r1 under way', wanted: expect.stringMatching(/^drop/) },
    ]);
    // Still a drop after 20 s held: the low measurements did not become the baseline.
    expect(run(held.state, 30_000, [0.5]).decisions[0]).toMatchObject({
      action: 'start',
      baseline: expect.closeTo(0.8, 1),
    });
    // Longer than baselineMs: still judged against the baseline before it.
    expect(run(held.state, 80_000, [0.5]).decisions[0]).toMatchObject({
      action: 'start',
      baseline: expect.closeTo(0.8, 1),
    });
  });

  const holds: Array<[string, Partial<AutoObservation>, string]> = [
    ['without a leader', { leader: null }, 'no leader'],
    ['during a rebalance', { rebalancing: true }, 'rebalancing'],
    ['while another run is under way', { busy: 'run r1 under way' }, 'run r1 under way'],
    ['while a trial is under way', { busy: 'trial 3 under way' }, 'trial 3 under way'],
  ];
  it.each(holds)(
    'holds a wanted run %s, reporting the reason once, and starts it when that ends',
    (_w, over, reason) => {
      const learned = run(initialAutoEvolution(), 0, steady(10));
      const held = run(learned.state, 10_000, steady(5, 0.5), over);
      expect(held.decisions).toEqual([{ action: 'held', reason, wanted: expect.stringMatching(/^drop/) }]);
      expect(run(held.state, 15_000, [0.5]).decisions[0]).toMatchObject({ action: 'start' });
    },
  );

  it('starts on the schedule, counted from when auto was turned on and from each start', () => {
    const settings = { ...SETTINGS, scheduleMs: 5000 };
    const first = run(initialAutoEvolution(), 0, steady(12), {}, settings);
    expect(first.decisions.map((d) => d?.action)).toEqual(['start', 'start']);
    expect(first.state.last?.reason).toBe('schedule: every 5000 ms');
    expect(first.state.last?.at).toBe(10_000);
  });

  it('decides nothing while off, yet keeps learning the baseline', () => {
    const off = run(
      initialAutoEvolution(),
      0,
      [...steady(10), 0.4],
      {},
      { ...SETTINGS, enabled: false, scheduleMs: 1000 },
    );
    expect(off.decisions).toEqual([]);
    expect(off.state.samples).toHaveLength(10);
    expect(run(off.state, 11_000, [0.4]).decisions[0]).toMatchObject({
      action: 'start',
      baseline: expect.closeTo(0.8, 1),
    });
  });

  it('starts another run for a drop its last run did not fix, after the cool-down, at most three in all', () => {
    let state = run(initialAutoEvolution(), 0, steady(10)).state;
    let t = 10_000;
    const starts: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const out = run(state, t, steady(5, 0.5));
      const start = out.decisions.find((d) => d?.action === 'start');
      if (!start) break;
      starts.push(t);
      expect(start).toMatchObject({ baseline: expect.closeTo(0.8, 1) });
      state = noteAutoStarted(out.state, `r${attempt}`);
      // The island finishes (quiet, no outcome), then its best is rolled back by the keep rule.
      state = noteAutoQuiet(state, t + 5000, SETTINGS.cooldownMs);
      state = noteAutoQuiet(state, t + 8000, SETTINGS.cooldownMs, `r${attempt}`, 'rolledback');
      t += 8000 + SETTINGS.cooldownMs;
    }
    expect(starts).toHaveLength(MAX_RUNS_PER_DROP);
    // The third did not fix it either: the low level is the new baseline.
    expect(state.samples).toEqual([]);
    expect(state.retries).toBe(0);
  });

  it('starts another run after a kept trial that left the fitness still a drop below the baseline, not after one that fixed it', () => {
    const dropped = (measured: number) => {
      const learned = run(initialAutoEvolution(), 0, steady(10));
      const started = run(learned.state, 10_000, steady(5, 0.5));
      const state = noteAutoStarted(started.state, 'r1');
      return noteAutoQuiet(state, 20_000, SETTINGS.cooldownMs, 'r1', 'kept', {
        fitness: measured,
        dropPct: SETTINGS.dropPct,
      });
    };
    // 0.5 → 0.55 against a baseline of 0.8: kept, but still 31% below it.
    const partly = dropped(0.55);
    expect(partly.last?.outcome).toBe('kept');
    expect(partly.retries).toBe(1);
    expect(baselineOf(partly)).toBeCloseTo(0.8);
    const again = run(partly, 20_000 + SETTINGS.cooldownMs, steady(5, 0.55));
    expect(again.decisions.find((d) => d?.action === 'start')).toMatchObject({ baseline: expect.closeTo(0.8) });
    // 0.5 → 0.78: within the threshold of 0.8, fixed: the baseline is relearned, no run follows.
    const fixed = dropped(0.78);
    expect(fixed.samples).toEqual([]);
    expect(run(fixed, 20_000 + SETTINGS.cooldownMs, steady(5, 0.78)).decisions).toEqual([]);
  });

  it('after a run and its trial, cools down: the trial’s own effects start nothing, then the baseline is relearned', () => {
    const learned = run(initialAutoEvolution(), 0, steady(10));
    const started = run(learned.state, 10_000, [0.5]);
    let state = noteAutoStarted(started.state, 'r1');
    expect(state.last).toMatchObject({ run: 'r1', outcome: 'running' });
    state = noteAutoQuiet(state, 20_000, SETTINGS.cooldownMs, 'r1', 'kept');
    expect(state.last?.outcome).toBe('kept');
    // A worse fitness during the cool-down: held once, and not learned.
    const cooling = run(state, 21_000, [0.3, 0.3, 0.3]);
    expect(cooling.decisions).toEqual([]);
    expect(cooling.state.samples).toEqual([]);
    // After it, the new level is the baseline.
    const after = run(cooling.state, 50_000, steady(10, 0.6));
    expect(after.decisions).toEqual([]);
    expect(run(after.state, 60_000, [0.5]).decisions[0]).toMatchObject({
      action: 'start',
      baseline: expect.closeTo(0.6),
    });
  });

  it('tries again a while after the leader refused a self-started run', () => {
    const learned = run(initialAutoEvolution(), 0, steady(10));
    const started = run(learned.state, 10_000, [0.5]);
    const refused = noteAutoRefused(started.state, 10_000, 'no leader');
    expect(refused.last?.outcome).toBe('failed: no leader');
    const waiting = run(refused, 11_000, [0.5]);
    expect(waiting.decisions).toEqual([
      { action: 'held', reason: expect.stringMatching(/^cooling down/), wanted: expect.any(String) },
    ]);
    expect(run(waiting.state, 10_000 + AUTO_RETRY_MS, [0.5]).decisions[0]).toMatchObject({ action: 'start' });
  });

  const drops: Array<[number, number, number, boolean]> = [
    [0.7, 0.8, 10, true],
    [0.72, 0.8, 10, false],
    [0.71, 0.8, 10, true],
    [0.5, 0.8, 50, false],
    [0, 0.8, 100, false],
  ];
  it.each(drops)('isDrop(%d, baseline %d, %d%%) is %s', (f, b, p, expected) => {
    expect(isDrop(f, b, p)).toBe(expected);
  });
});
