/**
 * Helpers for tests of HMS and of code built on it (`@hms/runtime/testing`): unique swarm
 * names, quiet transports, and waiting on a condition instead of sleeping.
 */
import { randomBytes } from 'node:crypto';
import { createSilentLogger } from './logger.js';
import type { CodecName } from './transport/codec.js';
import { Transport } from './transport/transport.js';

/** A swarm name no other test uses, so tests sharing one nats-server never see each other. */
export function uniqueSwarm(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** A transport with a silent logger that does not reconnect. Close it when done. */
export function connectTestTransport(url: string, from = 'test', codec: CodecName = 'msgpack'): Promise<Transport> {
  return Transport.connect({ servers: url, from, codec, logger: createSilentLogger(), reconnect: false });
}

/** Resolves once `predicate` holds, checking every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, everyMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
