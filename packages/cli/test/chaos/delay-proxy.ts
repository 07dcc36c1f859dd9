import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that can hold every byte back for a while, each way, keeping their order: the
 * delay fault, where the kernel has no netem qdisc. One proxy per node and server; a node
 * connects to the server through it.
 */
export class DelayProxy {
  /** Millis added to every chunk, each way; 0 forwards at once. */
  delayMs = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly listen: { host: string; port?: number },
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Starts listening; resolves with the port. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listen.port ?? 0, this.listen.host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  /** Closes every connection through it and stops listening. */
  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const server = createConnection(this.upstream);
    for (const s of [client, server]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        server.destroy();
      });
    }
    this.pipe(client, server);
    this.pipe(server, client);
  }

  /** Forwards `from` to `to`, each chunk after the delay in force when it arrived. */
  private pipe(from: Socket, to: Socket): void {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && (queue[0] as { due: number }).due <= now) to.write(queue.shift()?.chunk as Buffer);
      if (queue.length > 0) timer = setTimeout(flush, (queue[0] as { due: number }).due - now);
    };
    from.on('data', (chunk: Buffer) => {
      if (this.delayMs <= 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push({ due: Date.now() + this.delayMs, chunk });
      if (timer === undefined) timer = setTimeout(flush, this.delayMs);
    });
    from.on('close', () => {
      if (timer !== undefined) clearTimeout(timer);
    });
  }
}
