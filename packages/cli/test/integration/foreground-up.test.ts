import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { hmsBin, isAlive } from '../fixtures/run-hms.js';

describe('hms up in the foreground', () => {
  it('stays up until Ctrl-C, reports a node that dies, then stops every process it started', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hms-fg-'));
    const env = { ...process.env, HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: `fg${process.pid}` };
    const up = spawn(process.execPath, [hmsBin, 'up', '--nodes', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    up.stdout.on('data', (d) => {
      stdout += d;
    });
    up.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    const until = async (what: () => boolean) => {
      while (!what()) {
        await new Promise<void>((resolve) => {
          const done = () => {
            up.stdout.off('data', done);
            up.stderr.off('data', done);
            resolve();
          };
          up.stdout.once('data', done);
          up.stderr.once('data', done);
        });
      }
    };
    try {
      await until(() => stdout.includes('Ctrl-C stops everything'));
      const pids = (
        JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ pid: number }> }
      ).nodes.map((n) => n.pid);
      expect(pids.every(isAlive)).toBe(true);
      process.kill(pids[1] as number, 'SIGKILL');
      await until(() => stderr.includes('node-2'));
      expect(stderr).toMatch(/node-2 \(pid \d+\) exited/);
      up.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/node-1 \(pid \d+\): terminated/);
      expect(pids.some(isAlive)).toBe(false);
    } finally {
      up.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
