import { describe, expect, it } from 'vitest';
import { InvalidNameError, ValidationError } from '../../src/errors.js';
import { resolveServiceDefinition, type ServiceDefinition } from '../../src/services/service-definition.js';
import { SERVICE_VERB, serviceApiSubject, serviceEndpointSubject } from '../../src/transport/subjects.js';

const handler = () => 1;
const valid: ServiceDefinition = { name: 'calc', version: '1.0.0', endpoints: [{ name: 'add', handler }] };

describe('service definition', () => {
  it('fills in the default subject, queue group, description and metadata', () => {
    const r = resolveServiceDefinition(valid);
    expect(r).toMatchObject({ name: 'calc', version: '1.0.0', description: '', metadata: {} });
    expect(r.endpoints).toEqual([{ name: 'add', subject: 'hms.svc.calc.add', queueGroup: 'q', metadata: {}, handler }]);
  });

  it('keeps a given subject, queue group and metadata', () => {
    const r = resolveServiceDefinition({
      ...valid,
      version: '2.1.0-rc.1+build.5',
      metadata: { team: 'core' },
      endpoints: [{ name: 'add', subject: 'math.add', queueGroup: 'adders', metadata: { a: 'b' }, handler }],
    });
    expect(r.endpoints[0]).toMatchObject({ subject: 'math.add', queueGroup: 'adders', metadata: { a: 'b' } });
    expect(r.metadata).toEqual({ team: 'core' });
  });

  const bad: Array<[string, unknown, string]> = [
    ['a name with a dot', { ...valid, name: 'a.b' }, 'name'],
    ['no name', { ...valid, name: undefined }, 'name'],
    ['a version that is not semver', { ...valid, version: '1.0' }, 'version'],
    ['a version with a leading zero', { ...valid, version: '01.0.0' }, 'version'],
    ['a description that is not text', { ...valid, description: 5 }, 'description'],
    ['metadata that is not strings', { ...valid, metadata: { n: 1 } }, 'metadata.n'],
    ['metadata that is an array', { ...valid, metadata: ['x'] }, 'metadata'],
    ['no endpoints', { ...valid, endpoints: [] }, 'endpoints'],
    ['an endpoint name with a space', { ...valid, endpoints: [{ name: 'a b', handler }] }, 'endpoints[0].name'],
    [
      'two endpoints of one name',
      {
        ...valid,
        endpoints: [
          { name: 'a', handler },
          { name: 'a', handler },
        ],
      },
      'endpoints[1].name',
    ],
    ['an endpoint without a handler', { ...valid, endpoints: [{ name: 'a' }] }, 'endpoints[0].handler'],
    ['a wildcard subject', { ...valid, endpoints: [{ name: 'a', subject: 'x.>', handler }] }, 'endpoints[0].subject'],
    [
      'a queue group with a dot',
      { ...valid, endpoints: [{ name: 'a', queueGroup: 'q.1', handler }] },
      'endpoints[0].queueGroup',
    ],
  ];
  it.each(bad)('refuses %s with one error naming the field', (_what, def, field) => {
    let caught: unknown;
    try {
      resolveServiceDefinition(def as ServiceDefinition);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).data).toEqual({ field });
    expect((caught as Error).message).toContain(field);
  });
});

describe('service subjects', () => {
  it('builds the discovery subjects of ADR-32 for all, a name, and a name and id', () => {
    expect(serviceApiSubject(SERVICE_VERB.ping)).toBe('$SRV.PING');
    expect(serviceApiSubject(SERVICE_VERB.info, 'hms-control')).toBe('$SRV.INFO.hms-control');
    expect(serviceApiSubject(SERVICE_VERB.stats, 'calc', 'abc')).toBe('$SRV.STATS.calc.abc');
    expect(serviceEndpointSubject('calc', 'add')).toBe('hms.svc.calc.add');
  });

  const bad: Array<[string, () => string]> = [
    ['an unknown verb', () => serviceApiSubject('PONG' as never)],
    ['an id without a name', () => serviceApiSubject(SERVICE_VERB.ping, undefined, 'abc')],
    ['a name with a wildcard', () => serviceApiSubject(SERVICE_VERB.info, '*')],
    ['an id with a dot', () => serviceApiSubject(SERVICE_VERB.info, 'calc', 'a.b')],
    ['an endpoint with a dot', () => serviceEndpointSubject('calc', 'a.b')],
  ];
  it.each(bad)('refuses %s', (_what, build) => {
    expect(build).toThrow(InvalidNameError);
  });
});
