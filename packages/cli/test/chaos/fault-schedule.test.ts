import { describe, expect, it } from 'vitest';
import { createFaultSchedule, FAULT_KIND } from './fault-schedule.js';

describe('createFaultSchedule', () => {
  const options = { durationMs: 120_000, nodes: 5, servers: 3 };

  it('gives the same schedule for the same seed and a different one for another seed', () => {
    expect(createFaultSchedule({ ...options, seed: 42 })).toEqual(createFaultSchedule({ ...options, seed: 42 }));
    expect(createFaultSchedule({ ...options, seed: 42 })).not.toEqual(createFaultSchedule({ ...options, seed: 43 }));
  });

  it('runs one fault at a time, 2–10 s each, all healed within the duration, on existing targets', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const faults = createFaultSchedule({ ...options, seed });
      expect(faults.length).toBeGreaterThan(5);
      let free = 0;
      for (const f of faults) {
        expect(f.at).toBeGreaterThanOrEqual(free);
        expect(f.durationMs).toBeGreaterThanOrEqual(2000);
        expect(f.durationMs).toBeLessThanOrEqual(10_000);
        free = f.at + f.durationMs;
        if (f.target !== undefined)
          expect(f.target).toBeLessThanOrEqual(f.kind === FAULT_KIND.killServer ? options.servers : options.nodes);
        for (const s of f.servers ?? []) expect(s).toBeLessThanOrEqual(options.servers);
      }
      expect(free).toBeLessThanOrEqual(options.durationMs);
    }
  });

  it('draws every kind of fault over a few seeds, and only the kinds asked for', () => {
    const all = new Set(
      [1, 2, 3, 4, 5].flatMap((seed) => createFaultSchedule({ ...options, seed }).map((f) => f.kind)),
    );
    expect([...all].sort()).toEqual(Object.values(FAULT_KIND).sort());
    const only = createFaultSchedule({ ...options, seed: 9, kinds: [FAULT_KIND.loss] });
    expect(new Set(only.map((f) => f.kind))).toEqual(new Set([FAULT_KIND.loss]));
  });
});
