import { describe, expect, it } from 'vitest';
import { renderTuning } from '../../src/commands/evolve.js';

describe('renderTuning (hms evolve status)', () => {
  it('shows each trial predicted next to measured, why it ended, and the model’s recent error', () => {
    const text = renderTuning({
      trials: [
        {
          id: 1,
          by: 'run r1',
          outcome: 'rolledback',
          baseline: { fitness: 0.587 },
          predicted: { fitness: 0.8 },
          measured: { fitness: 0.742 },
          candidate: {
            'request.timeoutMs': 90,
            'supervision.backoffShape': 1,
            'supervision.strategy': 1,
            'placement.policy': 2,
          },
          reason: 'fitness 0.587 → 0.742, but errors 14.7% → 74.0% (worse by more than 10%)',
        },
      ],
      model: { error: { mae: 0.058, bias: -0.058, pairs: 2 }, learned: 2 },
    }).join('\n');
    expect(text).toMatch(/before\s+predicted\s+after/i);
    expect(text).toMatch(/0\.587.*0\.8.*0\.742/);
    expect(text).toContain(
      'request.timeoutMs=90 supervision.backoffShape=constant supervision.strategy=one-for-one placement.policy=affinity',
    );
    expect(text).toContain('but errors 14.7% → 74.0% (worse by more than 10%)');
    expect(text).toContain('model: prediction error 0.058 (mean |measured − predicted| fitness over 2 trials');
    expect(text).toContain('corrected near 2 configurations tried live');
  });

  it('says when the error is not known yet', () => {
    const text = renderTuning({
      trials: [],
      model: { error: { mae: null, bias: null, pairs: 1 }, learned: 0 },
    }).join('\n');
    expect(text).toContain('prediction error not known yet (1 measured trials, needs 2)');
  });
});
