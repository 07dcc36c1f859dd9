import { describe, expect, it } from 'vitest';
import { CONSOLE_MISSED_BEATS, type ConsoleHeartbeat, ConsoleView } from '../src/node/console-view.js';

const beat = (id: string, ts: number, leaving = false): ConsoleHeartbeat => ({
  id,
  user: 'ops',
  host: 'box',
  pid: 42,
  command: 'dashboard',
  startedAt: 0,
  ts,
  intervalMs: 1000,
  leaving,
});

describe('ConsoleView', () => {
  it('lists consoles from their heartbeats, sorted by id', () => {
    const v = new ConsoleView();
    v.observe(beat('cli-b', 0), 0);
    v.observe(beat('cli-a', 0), 0);
    expect(v.list(100).map((c) => c.id)).toEqual(['cli-a', 'cli-b']);
  });

  it('forgets a console that sends a leaving heartbeat', () => {
    const v = new ConsoleView();
    v.observe(beat('cli-a', 0), 0);
    v.observe(beat('cli-a', 10, true), 10);
    expect(v.list(20)).toEqual([]);
  });

  it('notices a console that vanished after missing its heartbeats', () => {
    const v = new ConsoleView();
    v.observe(beat('cli-a', 0), 0);
    expect(v.sweep(CONSOLE_MISSED_BEATS * 1000)).toEqual([]);
    expect(v.sweep(CONSOLE_MISSED_BEATS * 1000 + 1).map((c) => c.id)).toEqual(['cli-a']);
    expect(v.list(CONSOLE_MISSED_BEATS * 1000 + 2)).toEqual([]);
  });

  it('leaves a silent console out of the list but still reports it to the sweep (regression: a list removed it, and no console.lost was sent)', () => {
    const v = new ConsoleView();
    v.observe(beat('cli-a', 0), 0);
    const late = CONSOLE_MISSED_BEATS * 1000 + 1;
    expect(v.list(late)).toEqual([]);
    expect(v.sweep(late).map((c) => c.id)).toEqual(['cli-a']);
  });
});
