import { describe, expect, it } from 'vitest';
import { sparkline } from '../src/sparkline.js';

describe('sparkline', () => {
  it('draws the lowest value lowest and the highest highest', () => {
    expect(sparkline([8, 4, 2, 1, 0])).toBe('█▅▃▂▁');
    expect(sparkline([3, 3, 3])).toBe('▁▁▁');
  });

  it('fits a long history into the width, keeping the last value', () => {
    const line = sparkline(
      Array.from({ length: 100 }, (_, i) => 100 - i),
      20,
    );
    expect(line.length).toBeLessThanOrEqual(21);
    expect(line.at(-1)).toBe('▁');
    expect(sparkline([])).toBe('');
    expect(sparkline([Number.NaN, 1])).toBe('▁');
  });
});
