import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../../src/errors.js';
import { createSubjects } from '../../src/transport/subjects.js';

describe('event type patterns of plugin handlers', () => {
  const subjects = createSubjects('s1');

  it.each([
    ['health.changed', 'hms.s1.evt.health.changed.*'],
    ['circuit.*', 'hms.s1.evt.circuit.*.*'],
    ['*.raised', 'hms.s1.evt.*.raised.*'],
    ['cell.>', 'hms.s1.evt.cell.>'],
    ['tick', 'hms.s1.evt.tick.*'],
  ])('turns %s into the subject %s', (pattern, subject) => {
    expect(subjects.eventTypePattern(pattern)).toBe(subject);
  });

  it.each(['', 'a..b', 'a.>.b', 'a b', 'a.**', '>x', `${'a.'.repeat(200)}a`])('refuses %j', (pattern) => {
    expect(() => subjects.eventTypePattern(pattern)).toThrow(InvalidNameError);
  });

  it('names a queue group per plugin, refusing an id that is not one token', () => {
    expect(subjects.pluginQueue('http-probe')).toBe('hms-plugin-http-probe');
    expect(() => subjects.pluginQueue('a.b')).toThrow(InvalidNameError);
  });
});
