import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, NoRespondersError, RequestTimeoutError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest } from '../fixtures/test-transport.js';

/** Requests share one reply subscription per connection; these are its answers and its failures. */
describe('requests over one reply subscription', () => {
  let server: Transport;
  let client: Transport;
  beforeAll(async () => {
    server = await connectTest('mux-server');
    client = await connectTest('mux-client');
    server.subscribe('mux.echo', (m) => m.respond({ echo: m.body, from: m.from }));
    server.subscribe('mux.slow', (m) => {
      setTimeout(() => m.respond('late'), 300);
    });
    await server.flush();
  });
  afterAll(async () => {
    await server.close();
  });

  it('matches many concurrent replies to their requests', async () => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.request('mux.echo', 'echo', { i }, { timeout: 5000 })),
    );
    expect(replies.map((r) => (r as { echo: { i: number } }).echo.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(replies[0]).toMatchObject({ from: 'mux-client' });
  });

  it('fails with NoRespondersError when nobody subscribes, and times out on a slow one', async () => {
    await expect(client.request('mux.nobody', 'x', undefined, { timeout: 2000 })).rejects.toThrow(NoRespondersError);
    await expect(client.request('mux.nobody', 'x', undefined, { timeout: 2000 })).rejects.toThrow(
      'nobody answers on mux.nobody',
    );
    await expect(client.request('mux.slow', 'x', undefined, { timeout: 50 })).rejects.toThrow(
      new RequestTimeoutError('no reply on mux.slow within 50 ms'),
    );
    // The late reply finds nobody waiting; the next request is answered as usual.
    await new Promise((r) => setTimeout(r, 300));
    expect(await client.request('mux.echo', 'echo', 1)).toMatchObject({ echo: 1 });
  });

  it('fails requests in flight with ConnectionError when the connection closes', async () => {
    const pending = client.request('mux.slow', 'x', undefined, { timeout: 5000 });
    await client.close();
    await expect(pending).rejects.toThrow(ConnectionError);
    await expect(client.request('mux.echo', 'x')).rejects.toThrow(ConnectionError);
  });
});
