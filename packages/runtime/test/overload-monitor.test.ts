import { describe, expect, it } from 'vitest';
import { OverloadMonitor } from '../src/overload/overload-monitor.js';

const calm = { storeLatencyMs: 5, storeQueued: 0, eventLoopLagMs: 10 };

describe('OverloadMonitor', () => {
  it.each([
    ['a slow store', { ...calm, storeLatencyMs: 400 }, ['store-latency']],
    ['a long store queue', { ...calm, storeQueued: 5000 }, ['store-queue']],
  ])('is overloaded at once by %s', (_, sample, reasons) => {
    const m = new OverloadMonitor();
    expect(m.sample(sample, 1000)).toBe('entered');
    expect(m.current()).toMatchObject({ since: 1000, reasons });
  });

  it('takes one lagging interval for a hiccup and two in a row for overload', () => {
    const m = new OverloadMonitor();
    const lag = { ...calm, eventLoopLagMs: 600 };
    expect(m.sample(lag, 1)).toBeUndefined();
    expect(m.sample(calm, 2)).toBeUndefined();
    expect(m.sample(lag, 3)).toBeUndefined();
    expect(m.sample(lag, 4)).toBe('entered');
    expect(m.current()?.reasons).toEqual(['event-loop']);
  });

  it('is over only after three samples in a row under half of every limit', () => {
    const m = new OverloadMonitor();
    m.sample({ ...calm, storeQueued: 5000 }, 1);
    expect(m.sample({ ...calm, storeQueued: 1500 }, 2)).toBeUndefined(); // under the limit, not under half
    expect(m.sample(calm, 3)).toBeUndefined();
    expect(m.sample(calm, 4)).toBeUndefined();
    expect(m.sample(calm, 5)).toBe('left');
    expect(m.current()).toBeNull();
  });

  it('applies new limits from the next sample', () => {
    const m = new OverloadMonitor();
    m.setLimits({ storeLatencyMs: 1, storeQueued: 2000, eventLoopLagMs: 250 });
    expect(m.sample(calm, 1)).toBe('entered');
  });
});
