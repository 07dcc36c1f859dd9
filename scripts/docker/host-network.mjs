// What a Docker engine changes on the host's networking, snapshotted before the engine starts and
// put back after it stops: the iptables FORWARD policy (dockerd sets it to DROP when it turns IP
// forwarding on), IP forwarding, the br_netfilter module and its net.bridge.* switches, and any
// DOCKER chain, docker0 rule or docker0 bridge it left. Rules other programs added meanwhile (the
// netns tests' own FORWARD rules) are left alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const BRIDGE_SYSCTLS = '/proc/sys/net/bridge';
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

const read = (path) => readFileSync(path, 'utf8').trim();

/** Runs a command; returns its stdout, or throws with its stderr in one line. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** `iptables -S` of a table as lines. */
const rules = (table) => run('iptables', ['-t', table, '-S']).trim().split('\n');

const forwardPolicy = () => /^-P FORWARD (\w+)$/m.exec(run('iptables', ['-S', 'FORWARD']))?.[1] ?? null;

const bridgeSysctls = () =>
  existsSync(BRIDGE_SYSCTLS)
    ? Object.fromEntries(readdirSync(BRIDGE_SYSCTLS).map((f) => [f, read(`${BRIDGE_SYSCTLS}/${f}`)]))
    : {};

const hasLink = (name) => spawnSync('ip', ['link', 'show', name], { stdio: 'ignore' }).status === 0;

/**
 * The host's networking as a Docker engine would change it.
 * @returns {{ forwardPolicy: string | null, ipForward: string, brNetfilter: boolean,
 *   bridgeSysctls: Record<string, string>, docker0: boolean, filter: string[], nat: string[] }}
 */
export function snapshotHostNetwork() {
  return {
    forwardPolicy: forwardPolicy(),
    ipForward: read(IP_FORWARD),
    brNetfilter: existsSync('/sys/module/br_netfilter'),
    bridgeSysctls: bridgeSysctls(),
    docker0: hasLink('docker0'),
    filter: rules('filter'),
    nat: rules('nat'),
  };
}

/** True for a rule or chain line Docker writes. */
const isDockers = (line) => /DOCKER|docker0/.test(line);

/** Deletes the rules and chains of `table` that Docker added since `before`. */
function removeDockerRules(table, before, changes) {
  const now = rules(table).filter((l) => !before.includes(l) && isDockers(l));
  for (const rule of now.filter((l) => l.startsWith('-A '))) {
    run('iptables', ['-t', table, '-D', ...rule.slice(3).split(' ')]);
    changes.push(`deleted ${table} rule: ${rule}`);
  }
  const chains = now.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3));
  for (const chain of chains) run('iptables', ['-t', table, '-F', chain]);
  for (const chain of chains) {
    run('iptables', ['-t', table, '-X', chain]);
    changes.push(`deleted ${table} chain ${chain}`);
  }
}

/**
 * Puts back what {@link snapshotHostNetwork} saw (call it once the engine has stopped).
 * @returns {string[]} what it changed, one line each
 */
export function restoreHostNetwork(before) {
  const changes = [];
  const failures = [];
  // Each step on its own: one that fails must not keep the others from putting things back.
  const step = (fn) => {
    try {
      fn();
    } catch (err) {
      failures.push(err.message);
    }
  };
  step(() => removeDockerRules('filter', before.filter, changes));
  step(() => removeDockerRules('nat', before.nat, changes));
  step(() => {
    if (!before.docker0 && hasLink('docker0')) {
      run('ip', ['link', 'delete', 'docker0']);
      changes.push('deleted the docker0 bridge');
    }
  });
  step(() => {
    const policy = forwardPolicy();
    if (before.forwardPolicy && policy !== before.forwardPolicy) {
      run('iptables', ['-P', 'FORWARD', before.forwardPolicy]);
      changes.push(`FORWARD policy ${policy} -> ${before.forwardPolicy}`);
    }
  });
  step(() => {
    if (read(IP_FORWARD) !== before.ipForward) {
      writeFileSync(IP_FORWARD, before.ipForward);
      changes.push(`net.ipv4.ip_forward -> ${before.ipForward}`);
    }
  });
  for (const [name, value] of Object.entries(before.bridgeSysctls))
    step(() => {
      const path = `${BRIDGE_SYSCTLS}/${name}`;
      if (existsSync(path) && read(path) !== value) {
        writeFileSync(path, value);
        changes.push(`net.bridge.${name} -> ${value}`);
      }
    });
  step(() => {
    if (!before.brNetfilter && existsSync('/sys/module/br_netfilter')) {
      run('modprobe', ['-r', 'br_netfilter']);
      changes.push('unloaded br_netfilter');
    }
  });
  if (failures.length > 0)
    throw new Error(`could not restore the host's networking:\n${failures.join('\n')}\n(done: ${changes.join('; ')})`);
  return changes;
}

/** What differs between two snapshots, one line each (empty when the host is as it was). */
export function diffHostNetwork(before, after) {
  const lines = [];
  for (const key of ['forwardPolicy', 'ipForward', 'brNetfilter', 'docker0'])
    if (before[key] !== after[key]) lines.push(`${key}: ${before[key]} -> ${after[key]}`);
  for (const [name, value] of Object.entries(before.bridgeSysctls))
    if (after.bridgeSysctls[name] !== value) lines.push(`net.bridge.${name}: ${value} -> ${after.bridgeSysctls[name]}`);
  for (const table of ['filter', 'nat'])
    for (const l of after[table]) if (!before[table].includes(l) && isDockers(l)) lines.push(`${table}: ${l}`);
  return lines;
}
