import { migrationTargets, type Topology } from './migration-topology.js';

/** A small seeded generator (mulberry32), one per island and migration: every island can redraw any other's targets. */
function drawFor(runSeed: number, island: number, epoch: number): () => number {
  let s =
    (Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) ^
      Math.imul(island + 1, 0xc2b2ae35) ^
      Math.imul(epoch + 1, 0x27d4eb2f)) >>>
    0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Who sends migrants to whom at each migration of a run. */
export interface MigrationSchedule {
  /** The islands `index` sends to at migration `epoch`. */
  targets(index: number, epoch: number): number[];
  /** The islands that send to `index` at migration `epoch`. */
  sources(index: number, epoch: number): number[];
}

/**
 * The migration schedule of a run of `count` islands. For the random topology the draws are
 * seeded by the run seed, the sending island and the epoch, so each island knows whom to wait for.
 */
export function createMigrationSchedule(topology: Topology, count: number, runSeed: number): MigrationSchedule {
  const targets = (index: number, epoch: number) =>
    migrationTargets(topology, index, count, drawFor(runSeed, index, epoch));
  return {
    targets,
    sources(index, epoch) {
      const out: number[] = [];
      for (let j = 0; j < count; j++) if (j !== index && targets(j, epoch).includes(index)) out.push(j);
      return out;
    },
  };
}
