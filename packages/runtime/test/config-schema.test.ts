import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA, completeConfig, defaultConfig, validateChanges } from '../src/config/config-schema.js';
import { ValidationError } from '../src/errors.js';

describe('config schema', () => {
  it('gives every setting a default within its bounds', () => {
    for (const [key, spec] of Object.entries(CONFIG_SCHEMA)) {
      expect(spec.default, key).toBeGreaterThanOrEqual(spec.min);
      expect(spec.default, key).toBeLessThanOrEqual(spec.max);
    }
    expect(defaultConfig()['health.heartbeatMs']).toBe(1000);
  });

  const good: Array<[Record<string, unknown>, Record<string, number>]> = [
    [{ 'health.heartbeatMs': '500' }, { 'health.heartbeatMs': 500 }],
    [{ 'health.heartbeatMs': 50 }, { 'health.heartbeatMs': 50 }],
    [
      { 'supervision.maxRestarts': '0', 'health.suspectPhi': 12 },
      { 'supervision.maxRestarts': 0, 'health.suspectPhi': 12 },
    ],
    // Enumerated settings by name as well as by number.
    [
      { 'placement.policy': 'fill', 'supervision.backoffShape': 'decorrelated', 'supervision.strategy': 'escalate' },
      { 'placement.policy': 1, 'supervision.backoffShape': 2, 'supervision.strategy': 2 },
    ],
    [{ 'placement.policy': '2' }, { 'placement.policy': 2 }],
    [{ 'supervision.strategy@type:echo': 'one-for-one' }, { 'supervision.strategy@type:echo': 1 }],
  ];
  it.each(good)('accepts %j', (changes, expected) => {
    expect(validateChanges(changes)).toEqual(expected);
  });

  const bad: Array<[Record<string, unknown>, string]> = [
    [{ 'health.heartbeatMs': -1 }, 'health.heartbeatMs'],
    [{ 'health.heartbeatMs': '-1' }, 'health.heartbeatMs'],
    [{ 'health.heartbeatMs': 'fast' }, 'health.heartbeatMs'],
    [{ 'health.heartbeatMs': 1.5 }, 'health.heartbeatMs'],
    [{ 'health.heartbeatMs': '' }, 'health.heartbeatMs'],
    [{ 'health.heartbeatMs': 10_000_000 }, 'health.heartbeatMs'],
    [{ 'health.nope': 1 }, 'health.nope'],
    [{ __proto__: 1, constructor: 2 }, 'constructor'],
  ];
  it.each(bad)('refuses %j, naming the field %s', (changes, field) => {
    try {
      validateChanges(changes);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).data?.field).toBe(field);
      expect((err as Error).message).toContain(field);
    }
  });

  it('names the choices of an enumerated setting when refusing one', () => {
    expect(() => validateChanges({ 'placement.policy': 'packed' })).toThrow(
      'placement.policy must be one of spread (0), fill (1), affinity (2), not "packed"',
    );
    expect(() => validateChanges({ 'supervision.backoffShape': 3 })).toThrow(
      'supervision.backoffShape must be one of exponential (0), constant (1), decorrelated (2), not 3',
    );
    expect(() => validateChanges({ 'health.heartbeatMs': 'fill' })).toThrow(/must be a whole number from 50 to 60000/);
  });

  it('fills a stored configuration with defaults and ignores unknown keys', () => {
    expect(completeConfig({ 'health.heartbeatMs': 700, legacy: 1 })).toEqual({
      ...defaultConfig(),
      'health.heartbeatMs': 700,
    });
  });
});
