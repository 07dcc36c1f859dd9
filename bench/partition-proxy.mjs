// A userspace TCP proxy in front of a nats-server that a bench can cut and heal, to put a node
// on the minority side of a network partition without root (no netns, no iptables).
import { createConnection, createServer } from 'node:net';

/**
 * @typedef {object} PartitionProxy
 * @property {string} url - `nats://127.0.0.1:<port>`: give it to the node that is to be cut off.
 * @property {number} port - the proxy's listening port.
 * @property {() => boolean} isCut - whether the proxy is cut now.
 * @property {() => void} cut - stops forwarding both ways; every socket stays open.
 * @property {() => void} heal - forwards again, what was held first (as TCP would retransmit it).
 * @property {() => number} connections - client connections open through the proxy now.
 * @property {() => Promise<void>} stop - heals, closes every socket and the listener.
 */

/**
 * Starts a proxy on a free port of 127.0.0.1 that forwards each connection to `target`
 * (`nats://host:port`). A cut stops reading on both sockets of every connection (and of any
 * connection made while cut, which is accepted but not forwarded): nothing is lost and nothing is
 * closed, so each side sees silence, as in a real partition — the kernel buffers what is sent
 * meanwhile and TCP flow control holds the rest. A closed connection would be noticed at once,
 * a silent one only by the NATS clients' and server's pings (2 min by default). A close from one
 * side while cut reaches the other side at the heal.
 * @param {{ target: string }} options
 * @returns {Promise<PartitionProxy>}
 */
export async function startPartitionProxy({ target }) {
  const { hostname, port: targetPort } = new URL(target);
  let cut = false;
  /** @type {Set<{ down: import('node:net').Socket, up: import('node:net').Socket | null, closed: boolean }>} */
  const pairs = new Set();
  /** Closes that happened while cut, done at the heal. */
  let heldCloses = [];

  const closePair = (pair) => {
    if (pair.closed) return;
    pair.closed = true;
    pairs.delete(pair);
    pair.down.destroy();
    pair.up?.destroy();
  };
  const onSideClosed = (pair) => {
    if (cut) heldCloses.push(() => closePair(pair));
    else closePair(pair);
  };
  const forward = (pair) => {
    const up = createConnection({ host: hostname, port: Number(targetPort) });
    up.setNoDelay(true);
    pair.up = up;
    pair.down.on('data', (chunk) => up.write(chunk));
    up.on('data', (chunk) => pair.down.write(chunk));
    up.on('close', () => onSideClosed(pair));
    up.on('error', () => undefined);
    if (cut) up.pause();
  };

  const server = createServer((down) => {
    down.setNoDelay(true);
    const pair = { down, up: null, closed: false };
    pairs.add(pair);
    down.on('close', () => onSideClosed(pair));
    down.on('error', () => undefined);
    // A connection made while cut gets no further than the proxy until the heal.
    if (cut) down.pause();
    else forward(pair);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());

  const heal = () => {
    if (!cut) return;
    cut = false;
    for (const pair of pairs) {
      if (pair.up === null) forward(pair);
      else pair.up.resume();
      pair.down.resume();
    }
    const closes = heldCloses;
    heldCloses = [];
    for (const close of closes) close();
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    isCut: () => cut,
    cut: () => {
      if (cut) return;
      cut = true;
      for (const pair of pairs) {
        pair.down.pause();
        pair.up?.pause();
      }
    },
    heal,
    connections: () => pairs.size,
    stop: async () => {
      heal();
      for (const pair of [...pairs]) closePair(pair);
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
