import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { HmsError } from './errors.js';
import { natsServerBinary } from './nats-server-binary.js';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** JetStream store directory (created if missing). */
  storeDir: string;
  /** Client port; default a free port. */
  port?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** The nats-server binary; default {@link natsServerBinary} (the project's, else the one on PATH). */
  binary?: string;
  /** Detach from this process (survives it), for `hms up --detach`. */
  detached?: boolean;
  /** File descriptor or 'ignore' for the server's output; default 'ignore'. */
  output?: number | 'ignore';
  /** How long to wait for the server to accept connections, in millis; default 10000. */
  readyTimeoutMs?: number;
  /**
   * A configuration file to start with (e.g. one `hms security init` wrote): its JetStream block
   * and store directory are used (`storeDir` is then only created); the port and address given
   * here override its own.
   */
  config?: string;
}

/** A nats-server process started by HMS. */
export interface LocalNatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

/** True when `binary` (default {@link natsServerBinary}) runs. */
export function hasNatsServer(binary = natsServerBinary()): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A TCP port nobody listens on now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * Starts `nats-server -js` on loopback with its JetStream data in `storeDir`, and resolves once
 * it accepts connections.
 * @throws HmsError when the binary is missing or the server does not come up.
 */
export async function startNatsServer(options: NatsServerOptions): Promise<LocalNatsServer> {
  const binary = options.binary ?? natsServerBinary();
  if (!hasNatsServer(binary)) {
    throw new HmsError(
      `${binary} not found on PATH: install it (Debian: apt-get install nats-server) or pass --nats <url>`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  mkdirSync(options.storeDir, { recursive: true });
  const output = options.output ?? 'ignore';
  const storage = options.config ? ['-c', options.config] : ['-js', '-sd', options.storeDir];
  const child = spawn(binary, [...storage, '-a', host, '-p', String(port)], {
    stdio: ['ignore', output, output],
    detached: options.detached ?? false,
  });
  if (options.detached) child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  while (!(await isListening(port, host))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new HmsError(`nats-server did not start on ${host}:${port} (exit code ${child.exitCode})`);
    }
    // Polling the port is the readiness check: nats-server has no readiness signal on stdout
    // that is stable across versions.
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://${host}:${port}`,
    port,
    pid: child.pid ?? -1,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
