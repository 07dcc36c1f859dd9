import { describe, expect, it } from 'vitest';
import { runHms } from './fixtures/run-hms.js';

describe('hms errors', () => {
  it('gives a one-line usage error and exit code 2 for agent create with no type', async () => {
    const r = await runHms(['agent', 'create']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing required argument 'type'/);
  });

  const badArgs: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['frobnicate'], /unknown command/],
    ['an unknown option', ['agent', 'list', '--bogus'], /unknown option/],
    ['a bad node count', ['up', '--nodes', 'zero'], /--nodes/],
    ['a bad swarm name', ['--swarm', 'a.b', 'agent', 'list'], /invalid swarm name/],
    ['a bad cell id', ['agent', 'status', 'a*b'], /A-Z a-z 0-9/],
    ['a config that is not JSON', ['agent', 'create', 'counter', '--config', '{nope'], /JSON object/],
    ['a bad NATS URL', ['--nats', 'http//x', 'agent', 'list'], /--nats must be a URL/],
    ['an unknown objective', ['evolve', 'start', '--objective', 'banana'], /--objective.*banana/],
    ['a population too small', ['evolve', 'start', '--population', '2'], /--population.*from 4/],
    ['islands that are not a number', ['evolve', 'start', '--islands', 'many'], /--islands/],
    ['an unknown topology', ['evolve', 'start', '--topology', 'star'], /--topology/],
    ['a setting without a value', ['evolve', 'configure', '--set', 'migrants'], /key=value/],
    ['a swarm setting out of range', ['evolve', 'apply', '--set', 'request.timeoutMs=1'], /request.timeoutMs must be/],
    [
      'a scope a setting does not take',
      ['system', 'configure', '--set', 'request.timeoutMs@type:echo=900'],
      /refused: request\.timeoutMs@type:echo: request\.timeoutMs takes no type: scope/,
    ],
    [
      'a bad type name in a scope',
      ['system', 'configure', '--set', 'breaker.failureThreshold@to:ec.ho=2'],
      /breaker\.failureThreshold@to:ec\.ho: callee type "ec\.ho" is not a cell type name/,
    ],
    [
      'a scoped value out of range',
      ['system', 'configure', '--set', 'request.timeoutMs@edge:pinger:echo=5'],
      /request\.timeoutMs@edge:pinger:echo must be a whole number from 10/,
    ],
    ['a positional setting without a value', ['system', 'configure', 'request.timeoutMs'], /expected key=value/],
    [
      'a positional setting out of range',
      ['system', 'configure', 'request.timeoutMs=1'],
      /refused: request\.timeoutMs must be a whole number from 10/,
    ],
    [
      'an unset of an unknown setting',
      ['system', 'configure', '--unset', 'request.nope'],
      /unknown setting request\.nope/,
    ],
  ];
  it.each(badArgs)('gives exit code 2 and one line for %s', async (_what, args, message) => {
    const r = await runHms(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('says NATS is unreachable in one line with exit code 3, never a stack trace', async () => {
    const r = await runHms(['--nats', 'nats://127.0.0.1:1', 'agent', 'list']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});
