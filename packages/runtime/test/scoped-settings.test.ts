import { describe, expect, it } from 'vitest';
import { defaultConfig, storedScopedSettings, validateChanges, withChanges } from '../src/config/config-schema.js';
import { parseScopedKey, scopedKey } from '../src/config/scoped-key.js';
import { callSetting, type LiveConfig, typeSetting } from '../src/config/scoped-settings.js';
import { ValidationError } from '../src/errors.js';

describe('scoped settings', () => {
  const good: Array<[Record<string, unknown>, Record<string, number | null>]> = [
    [{ 'supervision.maxRestarts@type:echo': '2' }, { 'supervision.maxRestarts@type:echo': 2 }],
    [{ 'supervision.strategy@type:ga-island': 2 }, { 'supervision.strategy@type:ga-island': 2 }],
    [{ 'request.timeoutMs@edge:pinger:echo': '1500' }, { 'request.timeoutMs@edge:pinger:echo': 1500 }],
    // The quoted spelling with > is stored as edge:A:B.
    [{ 'request.timeoutMs@edge:pinger>echo': 1500 }, { 'request.timeoutMs@edge:pinger:echo': 1500 }],
    [{ 'breaker.failureThreshold@to:echo': 2 }, { 'breaker.failureThreshold@to:echo': 2 }],
    [{ 'stigmergy.avoidStrength@to:echo_2': 9 }, { 'stigmergy.avoidStrength@to:echo_2': 9 }],
    [{ 'breaker.resetTimeoutMs@to:echo': 'default' }, { 'breaker.resetTimeoutMs@to:echo': null }],
    [{ 'request.timeoutMs@to:echo': null }, { 'request.timeoutMs@to:echo': null }],
    // A swarm-wide key set to default takes its default value.
    [{ 'request.timeoutMs': 'default' }, { 'request.timeoutMs': 5000 }],
  ];
  it.each(good)('accepts %j', (changes, expected) => {
    expect(validateChanges(changes)).toEqual(expected);
  });

  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ 'health.heartbeatMs@type:echo': 5 }, 'health.heartbeatMs@type:echo', /unknown setting|takes no type/],
    [{ 'request.timeoutMs@type:echo': 5 }, 'request.timeoutMs@type:echo', /takes no type: scope/],
    [{ 'supervision.maxRestarts@to:echo': 5 }, 'supervision.maxRestarts@to:echo', /takes no to: scope/],
    [{ 'supervision.maxRestarts@edge:a:b': 5 }, 'supervision.maxRestarts@edge:a:b', /takes no edge: scope/],
    [{ 'request.timeoutMs@edge:pinger': 5 }, 'request.timeoutMs@edge:pinger', /edge:<caller type>:<callee type>/],
    [{ 'request.timeoutMs@edge:a:b:c': 5 }, 'request.timeoutMs@edge:a:b:c', /edge:/],
    [{ 'request.timeoutMs@to:ec.ho': 5 }, 'request.timeoutMs@to:ec.ho', /not a cell type name/],
    [{ 'request.timeoutMs@to:': 5 }, 'request.timeoutMs@to:', /not a cell type name/],
    [{ 'request.timeoutMs@node:n1': 5 }, 'request.timeoutMs@node:n1', /unknown scope/],
    [{ 'request.timeoutMs@to:echo': 5 }, 'request.timeoutMs@to:echo', /from 10 to 600000/],
    [{ 'request.timeoutMs@to:echo': 'soon' }, 'request.timeoutMs@to:echo', /whole number/],
    [{ 'request.nope@to:echo': 50 }, 'request.nope@to:echo', /takes no to: scope/],
  ];
  it.each(bad)('refuses %j, naming the field %s and why', (changes, field, why) => {
    try {
      validateChanges(changes);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).data?.field).toBe(field);
      expect((err as Error).message).toContain(field);
      expect((err as Error).message).toMatch(why);
    }
  });

  it('writes back the key it parsed', () => {
    for (const key of ['supervision.periodMs@type:t-1', 'request.timeoutMs@to:b', 'breaker.resetTimeoutMs@edge:a:b']) {
      const { base, scope } = parseScopedKey(key);
      expect(scopedKey(base, scope)).toBe(key);
    }
  });

  it('stores scoped values beside the swarm-wide ones and removes those set to default', () => {
    const stored = withChanges(
      defaultConfig(),
      { 'request.timeoutMs@to:echo': 300, 'breaker.failureThreshold@to:echo': 2 },
      validateChanges({ 'request.timeoutMs@to:echo': 'default', 'request.timeoutMs@edge:a:echo': 700 }),
    );
    expect(storedScopedSettings(stored)).toEqual({
      'breaker.failureThreshold@to:echo': 2,
      'request.timeoutMs@edge:a:echo': 700,
    });
    expect(stored['request.timeoutMs']).toBe(5000);
  });

  it('resolves a call setting edge first, then callee type, then swarm-wide', () => {
    const live: LiveConfig = {
      config: { ...defaultConfig(), 'request.timeoutMs': 5000 },
      scoped: { 'request.timeoutMs@edge:pinger:echo': 1500, 'request.timeoutMs@to:echo': 800 },
    };
    expect(callSetting(live, 'request.timeoutMs', 'pinger', 'echo')).toBe(1500);
    expect(callSetting(live, 'request.timeoutMs', 'other', 'echo')).toBe(800);
    expect(callSetting(live, 'request.timeoutMs', undefined, 'echo')).toBe(800);
    expect(callSetting(live, 'request.timeoutMs', 'pinger', 'ponger')).toBe(5000);
    expect(callSetting(live, 'request.timeoutMs', 'pinger', undefined)).toBe(5000);
    expect(callSetting(live, 'breaker.failureThreshold', 'pinger', 'echo')).toBe(5);
  });

  it('resolves a cell-type setting by the type, else swarm-wide', () => {
    const live: LiveConfig = { config: defaultConfig(), scoped: { 'supervision.maxRestarts@type:echo': 1 } };
    expect(typeSetting(live, 'supervision.maxRestarts', 'echo')).toBe(1);
    expect(typeSetting(live, 'supervision.maxRestarts', 'pinger')).toBe(5);
  });
});
