import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { createSilentLogger } from '../../src/logger.js';
import { decayed, Field } from '../../src/stigmergy/field.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm } from '../fixtures/test-transport.js';

describe('stigmergy field', () => {
  it('fades a mark by half every quarter of its ttl and drops it at the ttl', () => {
    expect(decayed(8, 0, 1000)).toBe(8);
    expect(decayed(8, 250, 1000)).toBeCloseTo(4);
    expect(decayed(8, 500, 1000)).toBeCloseTo(2);
    expect(decayed(8, 999, 1000)).toBeGreaterThan(0);
    expect(decayed(8, 1000, 1000)).toBe(0);
  });

  let t: Transport;
  let now = 1_000_000;
  const clock: Clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
  beforeAll(async () => {
    t = await connectTest('field');
  });
  afterAll(async () => {
    await t.close();
  });

  it('adds deposits on the same mark, fades them with time, and keeps topics apart', async () => {
    const field = await Field.open(t, uniqueSwarm('f'), { clock, by: 'test', logger: createSilentLogger() });
    await field.deposit('unhealthy', 'db-1', 1, 1000);
    await field.deposit('unhealthy', 'db-1', 1, 1000);
    await field.deposit('unhealthy', 'db-2', 5, 1000);
    await field.deposit('food', 'db-1', 9, 1000);
    expect(Object.fromEntries(await field.sense('unhealthy'))).toEqual({ 'db-1': 2, 'db-2': 5 });
    now += 250;
    const later = await field.sense('unhealthy');
    expect(later.get('db-1')).toBeCloseTo(1);
    now += 1000;
    expect((await field.sense('unhealthy')).size).toBe(0);
  });

  it('refuses topics and keys that are not single tokens', async () => {
    const field = await Field.open(t, uniqueSwarm('f'), { clock, by: 'test', logger: createSilentLogger() });
    await expect(field.deposit('a.b', 'x', 1, 10)).rejects.toThrow(/field topic/);
    await expect(field.deposit('a', '*', 1, 10)).rejects.toThrow(/field key/);
  });
});
