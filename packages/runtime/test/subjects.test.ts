import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../src/errors.js';
import { createSubjects } from '../src/transport/subjects.js';

describe('subjects', () => {
  const s = createSubjects('prod');

  it('builds every subject of the design from one place', () => {
    expect(s.all()).toBe('hms.prod.>');
    expect(s.cellInbox('counter-1')).toBe('hms.prod.cell.counter-1');
    expect(s.event('health.changed', 'hm-1')).toBe('hms.prod.evt.health.changed.hm-1');
    expect(s.eventPattern('tick')).toBe('hms.prod.evt.tick.*');
    expect(s.eventPattern()).toBe('hms.prod.evt.>');
    expect(s.heartbeat('node-1')).toBe('hms.prod.hb.node-1');
    expect(s.heartbeatPattern()).toBe('hms.prod.hb.*');
    expect(s.raft('request-vote')).toBe('hms.prod.raft.request-vote');
    expect(s.raft('append', 'node-2')).toBe('hms.prod.raft.append.node-2');
    expect(s.gaMigrants('island-3')).toBe('hms.prod.ga.island-3.migrants');
    expect(s.gaMigrantsPattern()).toBe('hms.prod.ga.*.migrants');
    expect(s.control('agent.list')).toBe('hms.prod.ctl.agent.list');
    expect(s.leaderCommand('node-1', 'agent.create')).toBe('hms.prod.lead.node-1.agent.create');
    expect(s.leaderPattern('node-1')).toBe('hms.prod.lead.node-1.>');
    expect(s.leaderPattern()).toBe('hms.prod.lead.>');
    expect(s.console('cli-ann-box-42')).toBe('hms.prod.console.cli-ann-box-42');
    expect(s.consolePattern()).toBe('hms.prod.console.*');
    expect(s.consoleAlert('cli-ann-box-42')).toBe('hms.prod.console.cli-ann-box-42.alert');
  });

  it.each(['a.b', '*', '>', ''])('refuses the console id %j for pushed alerts', (bad) => {
    expect(() => s.consoleAlert(bad)).toThrow(InvalidNameError);
  });

  it('parses event and control subjects back', () => {
    expect(s.parseEvent('hms.prod.evt.health.changed.hm-1')).toEqual({ eventType: 'health.changed', cellId: 'hm-1' });
    expect(s.parseEvent('hms.prod.cell.x')).toBeUndefined();
    expect(s.parseControl('hms.prod.ctl.agent.create')).toBe('agent.create');
    expect(s.parseControl('hms.other.ctl.agent.create')).toBeUndefined();
    expect(s.parseLeaderCommand('hms.prod.lead.node-1.system.configure')).toBe('system.configure');
    expect(s.parseLeaderCommand('hms.prod.ctl.system.configure')).toBeUndefined();
  });

  const badTokens = ['', 'a.b', '*', '>', 'a b', 'ä', 'x'.repeat(129), 'tab\t', undefined, 42, null];
  it.each(badTokens.map((t) => [t]))('refuses the cell id %j, which could widen or misroute a subject', (bad) => {
    expect(() => s.cellInbox(bad as string)).toThrow(InvalidNameError);
  });

  const goodTokens = ['a', 'counter-1', 'A_B-9', 'x'.repeat(128)];
  it.each(goodTokens.map((t) => [t]))('accepts the cell id %j', (good) => {
    expect(s.cellInbox(good)).toBe(`hms.prod.cell.${good}`);
  });

  it('refuses event types with empty or wildcard tokens', () => {
    for (const bad of ['a..b', '.a', 'a.', 'a.*', '>', '']) {
      expect(() => s.event(bad, 'c'), bad).toThrow(InvalidNameError);
    }
  });

  it('refuses a swarm name that is not one token', () => {
    expect(() => createSubjects('a.b')).toThrow(/invalid swarm name/);
  });
});
