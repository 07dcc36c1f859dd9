import { describe, expect, it } from 'vitest';
import { createMigrationSchedule } from '../src/ga-island/migration-schedule.js';
import { TOPOLOGY } from '../src/ga-island/migration-topology.js';

describe('migration schedule', () => {
  it.each(Object.values(TOPOLOGY))(
    'lists as sources of an island exactly the islands that send to it (%s)',
    (topology) => {
      const count = 6;
      const schedule = createMigrationSchedule(topology, count, 42);
      for (let epoch = 1; epoch <= 5; epoch++) {
        for (let i = 0; i < count; i++) {
          const expected = [];
          for (let j = 0; j < count; j++) if (schedule.targets(j, epoch).includes(i)) expected.push(j);
          expect(schedule.sources(i, epoch)).toEqual(expected);
        }
      }
    },
  );

  it('sends the ring to the next island and draws random targets anew at each migration, the same for every island', () => {
    expect(createMigrationSchedule('ring', 4, 1).targets(3, 7)).toEqual([0]);
    const a = createMigrationSchedule('random', 8, 9);
    const b = createMigrationSchedule('random', 8, 9);
    const draws = Array.from({ length: 10 }, (_, e) => a.targets(2, e).join());
    expect(Array.from({ length: 10 }, (_, e) => b.targets(2, e).join())).toEqual(draws);
    expect(new Set(draws).size).toBeGreaterThan(1);
  });
});
