import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What `hms up` started, so `hms down` can stop exactly that. Kept in `.hms/state.json`. */
export interface LocalSwarmState {
  swarm: string;
  natsUrl: string;
  /** The nats-server process `hms up` started, if it started one. */
  natsPid?: number;
  nodes: Array<{ name: string; pid: number }>;
  startedAt: number;
}

/** The folder of a local swarm's state, logs and JetStream data: `HMS_HOME`, else `./.hms`. */
export function swarmHome(): string {
  return resolve(process.env.HMS_HOME ?? '.hms');
}

/** Paths inside the swarm home. */
export function homePaths(home = swarmHome()) {
  return {
    home,
    state: join(home, 'state.json'),
    logs: join(home, 'logs'),
    natsStore: join(home, 'nats'),
    /** Each node's own durable state (`<nodes>/<name>`). */
    nodes: join(home, 'nodes'),
  };
}

export function readState(home = swarmHome()): LocalSwarmState | undefined {
  const file = homePaths(home).state;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LocalSwarmState;
}

export function writeState(state: LocalSwarmState, home = swarmHome()): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(homePaths(home).state, `${JSON.stringify(state, null, 2)}\n`);
}

export function clearState(home = swarmHome()): void {
  rmSync(homePaths(home).state, { force: true });
}

/** True when process `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
