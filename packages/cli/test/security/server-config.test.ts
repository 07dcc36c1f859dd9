import { describe, expect, it } from 'vitest';
import { subjectAltNames } from '../../src/security/certificates.js';
import {
  addAccount,
  configuredAccounts,
  operatorJwtFile,
  renderServerConfig,
} from '../../src/security/server-config.js';

const tls = { ca: '/d/ca.pem', caKey: '/d/ca-key.pem', serverCert: '/d/server.pem', serverKey: '/d/server-key.pem' };
const conf = renderServerConfig({
  swarm: 'a',
  listen: '0.0.0.0:4222',
  tls,
  storeDir: '/d/jetstream',
  operatorJwtFile: '/d/nats-operator.jwt',
  systemAccount: { label: 'SYS', publicKey: 'ASYS', jwt: 'sys.jwt.x' },
  account: { label: 'a', publicKey: 'AAAA', jwt: 'a.jwt.x' },
});

describe('server-config', () => {
  it('requires TLS, syncs JetStream on every write and preloads the accounts', () => {
    expect(conf).toContain('tls {\n  cert_file: "/d/server.pem"');
    expect(conf).toMatch(/^ {2}sync_interval: always$/m);
    expect(conf).toContain('resolver: MEMORY');
    expect(conf).toContain('    AAAA: "a.jwt.x"');
    expect(configuredAccounts(conf)).toEqual(['SYS', 'a']);
    expect(operatorJwtFile(conf)).toBe('/d/nats-operator.jwt');
  });

  it('adds a second swarm inside the account list', () => {
    const added = addAccount(conf, { label: 'b', publicKey: 'ABBB', jwt: 'b.jwt.x' }) as string;
    expect(configuredAccounts(added)).toEqual(['SYS', 'a', 'b']);
    expect(added.indexOf('ABBB: "b.jwt.x"')).toBeLessThan(added.indexOf('# hms-accounts-end'));
  });

  it.each([[''], ['listen: 4222\n'], ['resolver_preload: {\n}\n']])(
    'refuses to add to a configuration it did not write (%#)',
    (foreign) => {
      expect(addAccount(foreign, { label: 'b', publicKey: 'ABBB', jwt: 'x' })).toBeUndefined();
    },
  );

  it.each([
    [['localhost'], 'DNS:localhost'],
    [['127.0.0.1', '::1'], 'IP:127.0.0.1,IP:::1'],
    [['nats.example.org', '10.0.0.7'], 'DNS:nats.example.org,IP:10.0.0.7'],
  ])('names %j in the server certificate', (hosts, expected) => {
    expect(subjectAltNames(hosts)).toBe(expected);
  });
});
