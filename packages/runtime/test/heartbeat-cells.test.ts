import { describe, expect, it } from 'vitest';
import { CELL_STATUS, type CellHealth, type CellPulse } from '../src/cell/cell-status.js';
import { HeartbeatCells } from '../src/node/heartbeat-cells.js';

const pulse = (id: string, extra: Partial<CellPulse> = {}): CellPulse => ({
  id,
  type: 'echo',
  status: CELL_STATUS.running,
  handled: 0,
  errors: 0,
  restarts: 0,
  mailbox: 0,
  ...extra,
});
const health = (p: CellPulse): CellHealth => ({ ...p, node: 'n1', state: 'idle', startedAt: 1 });

describe('heartbeat cells', () => {
  it('sums every cell, but builds full health only for the cells it lists (new, changed or not running)', () => {
    const beats = new HeartbeatCells();
    const asked: string[][] = [];
    const detail = (ids: readonly string[]) => {
      asked.push([...ids]);
      return ids.map((id) => health(pulse(id)));
    };
    const cells = Array.from({ length: 1000 }, (_, i) => pulse(`c${i}`, { handled: i }));
    const first = beats.summarize(cells, 1000, undefined, detail);
    expect(first.cellCount).toBe(1000);
    expect(first.totals.handled).toBe((999 * 1000) / 2);
    expect(first.cells).toHaveLength(1000);

    // A second later: one cell crashed, one handled 50 more, the rest unchanged.
    const later = cells.map((c) =>
      c.id === 'c7' ? { ...c, status: CELL_STATUS.crashed } : c.id === 'c9' ? { ...c, handled: c.handled + 50 } : c,
    );
    const second = beats.summarize(later, 2000, undefined, detail);
    expect(asked.at(-1)).toEqual(['c7']);
    expect(second.counts).toEqual({ running: 999, crashed: 1 });
    expect(second.busiest.map((b) => [b.id, b.rate])).toEqual([['c9', 50]]);
    expect(beats.lastCellCount).toBe(1000);
  });

  it('forgets cells that left: one that comes back is listed again as new', () => {
    const beats = new HeartbeatCells();
    const detail = (ids: readonly string[]) => ids.map((id) => health(pulse(id)));
    beats.summarize([pulse('a'), pulse('b')], 1000, undefined, detail);
    expect(beats.summarize([pulse('a')], 2000, undefined, detail).cells).toEqual([]);
    expect(beats.summarize([pulse('a'), pulse('b')], 3000, undefined, detail).cells.map((c) => c.id)).toEqual(['b']);
  });
});
