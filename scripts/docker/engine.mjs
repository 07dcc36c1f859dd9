// The Docker engine of `npm run test:docker`: Debian's docker.io (and docker-compose, mmdebstrap)
// installed when missing, and a dockerd started for the run when none answers. That dockerd
// writes no iptables rules and leaves IP forwarding alone (--iptables=false --ip-forward=false):
// containers reach each other over their bridge and the host reaches published ports through
// docker-proxy, which is all the test needs, and the host's FORWARD policy stays as it is while
// other programs use network namespaces. Builds use the host's network instead of NAT.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

/** Debian's client, which matches its daemon (another `docker` may come first on PATH). */
export const DOCKER =
  spawnSync('/usr/bin/docker', ['--version'], { stdio: 'ignore' }).status === 0 ? '/usr/bin/docker' : 'docker';

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** True when a Docker engine answers on the default socket. */
export const engineAnswers = () => spawnSync(DOCKER, ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

/** Installs what is missing of dockerd, docker-compose and mmdebstrap with apt-get (root only). */
export function ensureEngineInstalled(say) {
  const missing = [
    ['dockerd', 'docker.io'],
    ['docker-compose', 'docker-compose'],
    ['mmdebstrap', 'mmdebstrap'],
  ].filter(([cmd]) => !has(cmd));
  if (missing.length === 0) return;
  const packages = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0 || !has('apt-get'))
    throw new Error(
      `${packages.join(', ')} missing: install them (Debian: apt-get install ${packages.join(' ')}) and run as root`,
    );
  say(`installing ${packages.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
  }
}

/**
 * Starts dockerd (its output to `logFile`) and resolves once it answers.
 * @returns {Promise<{ pid: number, stop(): Promise<void> }>} stop: SIGTERM, SIGKILL after 30 s
 */
export async function startEngine(logFile, { readyTimeoutMs = 60_000 } = {}) {
  const out = openSync(logFile, 'a');
  const child = spawn('dockerd', ['--iptables=false', '--ip-forward=false', '--ip-masq=false'], {
    stdio: ['ignore', out, out],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + readyTimeoutMs;
  while (!engineAnswers()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`dockerd did not answer within ${readyTimeoutMs / 1000} s (log ${logFile}):\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
