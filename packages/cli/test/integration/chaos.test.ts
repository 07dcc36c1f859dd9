import { describe, expect, it } from 'vitest';
import { describeFault } from '../chaos/fault-schedule.js';
import { runSeed } from '../chaos/run-seed.js';

/**
 * Two short seeds of the chaos suite (3 servers, 5 nodes, network namespaces; see
 * `npm run chaos` for long runs). A failure prints the seed's faults, violations and the command
 * that replays it; its records are kept.
 */
describe('chaos: seeded faults against counter cells, judged by the history checker', () => {
  for (const seed of [1590, 1904]) {
    it(`seed ${seed}: 20 s of faults, then no violation`, async () => {
      const r = await runSeed({ seed, faultMs: 20_000 });
      const o = r.operations;
      console.log(
        `chaos seed ${seed}: ${r.faults.length} faults (${r.faults.map((f) => f.kind).join(', ')}), ${o.ok + o.fail + o.info} operations (${o.ok} ok, ${o.fail} failed, ${o.info} unknown), recovery ${r.recoveryMs} ms, ${r.violations.length} violations, ${Math.round(r.wallMs / 1000)} s`,
      );
      expect(o.ok).toBeGreaterThan(100);
      expect(
        r.violations,
        [
          ...r.faults.map(describeFault),
          `records: ${r.dir}`,
          `replay: npm run chaos -- --seed ${seed} --fault-seconds 20 --keep`,
        ].join('\n'),
      ).toEqual([]);
    }, 150_000);
  }
});
