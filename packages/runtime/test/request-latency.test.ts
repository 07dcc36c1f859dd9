import { describe, expect, it } from 'vitest';
import { RequestLatency } from '../src/node/request-latency.js';

describe('request-latency', () => {
  it('gives the p90 of each cell in millis, and nothing after a reset', () => {
    const latency = new RequestLatency();
    for (let i = 1; i <= 100; i++) latency.observe('a', i / 1000);
    latency.observe('b', 0.0025);
    expect(latency.p90Ms('a')).toBe(91);
    expect(latency.p90Ms('b')).toBe(2.5);
    expect(latency.p90Ms('c')).toBeUndefined();
    latency.reset();
    expect(latency.p90Ms('a')).toBeUndefined();
  });

  it('keeps only the latest 128 requests of a cell', () => {
    const latency = new RequestLatency();
    for (let i = 0; i < 1000; i++) latency.observe('a', 1);
    for (let i = 0; i < 128; i++) latency.observe('a', 0.001);
    expect(latency.p90Ms('a')).toBe(1);
  });
});
