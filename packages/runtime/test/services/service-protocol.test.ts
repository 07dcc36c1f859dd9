import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEndpointStats } from '../../src/services/endpoint-stats.js';
import {
  infoResponse,
  isServiceResponse,
  pingResponse,
  type SERVICE_RESPONSE_TYPE,
  statsResponse,
} from '../../src/services/service-protocol.js';

const identity = { name: 'calc', id: 'abc123', version: '1.2.0', metadata: { node: 'n1' } };
const endpoint = { name: 'add', subject: 'hms.svc.calc.add', queue_group: 'q', metadata: { unit: 'none' } };

describe('service protocol', () => {
  it('answers PING with the type and identity fields of ADR-32', () => {
    expect(pingResponse(identity)).toEqual({
      type: 'io.nats.micro.v1.ping_response',
      name: 'calc',
      id: 'abc123',
      version: '1.2.0',
      metadata: { node: 'n1' },
    });
  });

  it('answers INFO with the description and each endpoint in snake_case', () => {
    expect(infoResponse(identity, 'adds numbers', [endpoint])).toEqual({
      type: 'io.nats.micro.v1.info_response',
      name: 'calc',
      id: 'abc123',
      version: '1.2.0',
      metadata: { node: 'n1' },
      description: 'adds numbers',
      endpoints: [{ name: 'add', subject: 'hms.svc.calc.add', queue_group: 'q', metadata: { unit: 'none' } }],
    });
  });

  it('answers STATS with counts, the last error, whole nanoseconds and an RFC 3339 start', () => {
    const stats = createEndpointStats();
    stats.record(1000.4);
    stats.record(2000, new Error('boom'));
    stats.record(3001);
    expect(
      statsResponse(identity, Date.UTC(2026, 10, 30, 3, 4, 5, 6), [{ ...endpoint, counters: stats.read() }]),
    ).toEqual({
      type: 'io.nats.micro.v1.stats_response',
      name: 'calc',
      id: 'abc123',
      version: '1.2.0',
      metadata: { node: 'n1' },
      started: '2026-11-30T03:04:05.006Z',
      endpoints: [
        {
          name: 'add',
          subject: 'hms.svc.calc.add',
          queue_group: 'q',
          num_requests: 3,
          num_errors: 1,
          last_error: 'boom',
          processing_time: 6001,
          average_processing_time: 2000,
        },
      ],
    });
  });

  it('reports an endpoint that has served nothing with zeros and an empty last_error, never NaN', () => {
    const [e] = statsResponse(identity, 0, [{ ...endpoint, counters: createEndpointStats().read() }]).endpoints;
    expect(e).toMatchObject({
      num_requests: 0,
      num_errors: 0,
      last_error: '',
      processing_time: 0,
      average_processing_time: 0,
    });
  });

  it('keeps processing times whole, non-negative and the average within the total, for any requests', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.boolean()), { maxLength: 50 }),
        (calls) => {
          const stats = createEndpointStats();
          for (const [ns, failed] of calls) stats.record(ns, failed ? new Error('x') : undefined);
          const [e] = statsResponse(identity, 0, [{ ...endpoint, counters: stats.read() }]).endpoints;
          if (!e) return false;
          return (
            Number.isInteger(e.processing_time) &&
            Number.isInteger(e.average_processing_time) &&
            e.average_processing_time <= e.processing_time &&
            e.num_requests === calls.length &&
            e.num_errors === calls.filter(([, f]) => f).length
          );
        },
      ),
    );
  });

  it('zeroes the counters on reset', () => {
    const stats = createEndpointStats();
    stats.record(5, 'bad');
    stats.reset();
    expect(stats.read()).toEqual({ requests: 0, errors: 0, lastError: '', processingNs: 0 });
  });

  const good: Array<[keyof typeof SERVICE_RESPONSE_TYPE, unknown]> = [
    ['ping', pingResponse(identity)],
    ['info', infoResponse(identity, '', [endpoint])],
    ['stats', statsResponse(identity, 0, [])],
  ];
  it.each(good)('recognises a %s reply', (kind, value) => {
    expect(isServiceResponse(kind, value)).toBe(true);
  });

  const bad: Array<[string, keyof typeof SERVICE_RESPONSE_TYPE, unknown]> = [
    ['null', 'ping', null],
    ['a string', 'ping', 'pong'],
    ['a reply of another type', 'info', pingResponse(identity)],
    ['no id', 'ping', { ...pingResponse(identity), id: undefined }],
    ['a numeric version', 'ping', { ...pingResponse(identity), version: 1 }],
    ['INFO without endpoints', 'info', { ...infoResponse(identity, '', []), endpoints: undefined }],
    ['STATS with a non-object endpoint', 'stats', { ...statsResponse(identity, 0, []), endpoints: [3] }],
  ];
  it.each(bad)('skips %s as a discovery reply', (_what, kind, value) => {
    expect(isServiceResponse(kind, value)).toBe(false);
  });
});
