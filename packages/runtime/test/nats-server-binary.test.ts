import { describe, expect, it } from 'vitest';
import { natsServerBinary } from '../src/nats-server-binary.js';

describe('nats-server binary', () => {
  it('is HMS_NATS_SERVER when set', () => {
    expect(natsServerBinary({ HMS_NATS_SERVER: '/opt/nats/nats-server' })).toBe('/opt/nats/nats-server');
  });
});
