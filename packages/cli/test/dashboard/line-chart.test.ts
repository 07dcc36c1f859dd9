import { describe, expect, it } from 'vitest';
import { resample } from '../../src/dashboard/components/line-chart.js';

describe('resample', () => {
  const cases: Array<[number[], number, number[]]> = [
    [[], 5, []],
    [[1, 2, 3], 0, []],
    [[1, 2, 3], 3, [1, 2, 3]],
    [[1, 2], 4, [1, 1, 2, 2]],
    [[1, 2, 3, 4, 5, 6], 3, [2, 4, 6]],
    [[1, 2, 3, 4, 5, 6, 7], 2, [4, 7]],
  ];
  for (const [values, width, expected] of cases) {
    it(`fits ${JSON.stringify(values)} into ${width} columns as ${JSON.stringify(expected)}`, () => {
      expect(resample(values, width)).toEqual(expected);
    });
  }

  it('always ends on the latest value', () => {
    for (let n = 1; n < 50; n++) {
      const values = Array.from({ length: n }, (_, i) => i);
      for (const w of [1, 7, 20, 80]) expect(resample(values, w).at(-1)).toBe(n - 1);
    }
  });
});
