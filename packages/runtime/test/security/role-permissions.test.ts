import {
  bucketNames,
  createSubjects,
  credsRole,
  kvStreamName,
  objectStoreStreamName,
  rolePermissions,
  roleTag,
  type SecurityRole,
} from '@hms/runtime';
import { describe, expect, it } from 'vitest';

/** NATS subject matching: `*` one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const may = (role: SecurityRole, op: 'pub' | 'sub', subject: string) =>
  rolePermissions(role, 'a')[op].allow.some((pattern) => matches(pattern, subject));

const a = createSubjects('a');
const b = createSubjects('b');
const names = bucketNames('a');
const cells = kvStreamName(names.cells);
const packs = objectStoreStreamName(names.pluginPacks);
const plugins = kvStreamName(names.plugins);

describe('rolePermissions', () => {
  const cases: Array<[string, SecurityRole[]]> = [
    // [subject to publish to, the roles that may]
    [a.control('agent.list'), ['node', 'operator', 'observer']],
    [a.control('system.status'), ['node', 'operator', 'observer']],
    [a.control('agent.create'), ['node', 'operator']],
    [a.control('agent.destroy'), ['node', 'operator']],
    [a.control('system.configure'), ['node', 'operator']],
    [a.control('heal.trigger'), ['node', 'operator']],
    [a.control('evolve.start'), ['node', 'operator']],
    // Drain is an operator action; anyone of the swarm may watch it.
    [a.control('node.drain'), ['node', 'operator']],
    [a.control('node.undrain'), ['node', 'operator']],
    [a.control('node.list'), ['node', 'operator', 'observer']],
    [a.leaderCommand('n1', 'node.drain'), ['node']],
    [a.event('node.draining', 'n1'), ['node']],
    [a.cellInbox('c1'), ['node', 'operator']],
    [a.service('calc', 'add'), ['node', 'operator']],
    [a.heartbeat('n1'), ['node']],
    [a.raft('vote', 'n1'), ['node']],
    [a.leaderCommand('n1', 'agent.create'), ['node']],
    [a.nodeCommand('n1', 'cells'), ['node']],
    [a.event('cell.started', 'c1'), ['node']],
    [a.gaMigrants('i1'), ['node']],
    // A console heartbeats and says it joined and left; only nodes push alerts to consoles.
    [a.console('cli-ann-box-42'), ['node', 'operator', 'observer']],
    [a.event('console.joined', 'cli-ann-box-42'), ['node', 'operator', 'observer']],
    [a.event('console.left', 'cli-ann-box-42'), ['node', 'operator', 'observer']],
    [a.event('console.lost', 'cli-ann-box-42'), ['node']],
    [a.consoleAlert('cli-ann-box-42'), ['node']],
    ['$SRV.PING', ['node', 'operator', 'observer']],
    ['$JS.API.INFO', ['node', 'operator', 'observer']],
    [`$JS.API.STREAM.INFO.${cells}`, ['node', 'operator', 'observer']],
    [`$JS.API.DIRECT.GET.${cells}.$KV.${names.cells}.c1`, ['node', 'operator', 'observer']],
    [`$JS.API.CONSUMER.CREATE.${cells}.x.$KV.${names.cells}.>`, ['node', 'operator', 'observer']],
    [`$JS.API.STREAM.CREATE.${cells}`, ['node']],
    [`$JS.API.STREAM.DELETE.${cells}`, ['node']],
    [`$JS.API.STREAM.PURGE.${cells}`, ['node']],
    [`$KV.${names.cells}.c1`, ['node']],
    [`$KV.${names.snapshots}.c1`, ['node']],
    [`$KV.${names.plugins}.quiet`, ['node', 'operator']],
    [`$O.${names.pluginPacks}.C.x`, ['node', 'operator']],
    [`$JS.API.STREAM.CREATE.${plugins}`, ['node', 'operator']],
    [`$JS.API.STREAM.PURGE.${packs}`, ['node', 'operator']],
    ['_INBOX.abc.1', ['node']],
    // Another swarm's subjects, streams and buckets: nobody of swarm a.
    [b.control('agent.list'), []],
    [b.cellInbox('c1'), []],
    [b.heartbeat('n1'), []],
    [`$JS.API.STREAM.INFO.${kvStreamName(bucketNames('b').cells)}`, []],
    [`$KV.${bucketNames('b').cells}.c1`, []],
    ['$JS.API.STREAM.CREATE.other', []],
  ];
  it.each(cases)('lets exactly the right roles publish to %s', (subject, allowed) => {
    for (const role of ['node', 'operator', 'observer'] as const) {
      expect([role, may(role, 'pub', subject)]).toEqual([role, allowed.includes(role)]);
    }
  });

  it('lets every role subscribe to its own swarm (a console’s pushed alerts too) and its inbox, none to another swarm', () => {
    for (const role of ['node', 'operator', 'observer'] as const) {
      expect(may(role, 'sub', a.heartbeat('n1'))).toBe(true);
      expect(may(role, 'sub', a.consoleAlert('cli-ann-box-42'))).toBe(true);
      expect(may(role, 'sub', '_INBOX.x.1')).toBe(true);
      expect(may(role, 'sub', b.heartbeat('n1'))).toBe(false);
      expect(may(role, 'sub', '>')).toBe(false);
    }
  });

  it('builds only valid subjects: non-empty tokens, > only last', () => {
    for (const role of ['node', 'operator', 'observer'] as const) {
      const { pub, sub } = rolePermissions(role, 'a');
      for (const subject of [...pub.allow, ...sub.allow]) {
        const tokens = subject.split('.');
        expect(tokens.every((t) => t.length > 0)).toBe(true);
        expect(tokens.slice(0, -1).includes('>')).toBe(false);
      }
    }
  });
});

describe('credsRole', () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const creds = (token: string) =>
    `-----BEGIN NATS USER JWT-----\n${token}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\nSUAX\n------END USER NKEY SEED------\n`;

  it.each([
    [creds(jwt({ name: 'someone', nats: { tags: [roleTag('observer')] } })), 'observer'],
    [creds(jwt({ name: 'operator' })), 'operator'],
    [creds(jwt({ nats: {} })), undefined],
    [creds('not-a-jwt'), undefined],
    [creds('a.!!!.c'), undefined],
    ['', undefined],
  ])('reads the role of a creds file (%#)', (text, role) => {
    expect(credsRole(text)).toBe(role);
  });
});
