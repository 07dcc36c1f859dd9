import { Command } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { globalOptions } from '../global-options.js';
import { formatJson } from '../output.js';
import { type SecurityInitResult, securityInit } from '../security/security-init.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function summary(r: SecurityInitResult): string[] {
  const lines = r.added
    ? [`added swarm ${r.swarm}'s account ${r.account} to ${r.config} (restart its nats-server to load it)`]
    : [`wrote ${r.config} for swarm ${r.swarm} (account ${r.account})`, `start it: nats-server -c ${r.config}`];
  lines.push(`CA for clients: --tls-ca ${r.ca}`);
  for (const [role, file] of Object.entries(r.creds)) lines.push(`${role.padEnd(8)} --creds ${file}`);
  lines.push(
    `e.g. hms node start --nats tls://localhost:4222 --swarm ${r.swarm} --tls-ca ${r.ca} --creds ${r.creds.node}`,
  );
  return lines;
}

/** `hms security init`: TLS, accounts and per-role credentials for an authenticated swarm. */
export function createSecurityCommand({ output }: CommandDeps): Command {
  const security = new Command('security').description('authenticated swarms: TLS, accounts and role credentials');
  security
    .command('init')
    .description(
      'write a nats-server configuration (TLS with a generated CA, JetStream synced on every write, one account per swarm) and node.creds, operator.creds, observer.creds for --swarm',
    )
    .requiredOption('--out <dir>', 'directory for the configuration, certificates and credentials')
    .option('--add-to <conf>', "add this swarm's account to a configuration written by an earlier init")
    .option('--host <name>', 'a DNS name or IP the server certificate is valid for (repeatable)', collect, [])
    .option('--listen <host:port>', 'where the server listens', '0.0.0.0:4222')
    .action(async (opts: { out: string; addTo?: string; host: string[]; listen: string }, command: Command) => {
      const g = globalOptions(command);
      const result = await securityInit({
        swarm: g.swarm,
        out: opts.out,
        ...(opts.addTo ? { addTo: opts.addTo } : {}),
        hosts: opts.host,
        listen: opts.listen,
      });
      output.out(g.json ? formatJson(result) : summary(result).join('\n'));
    });
  return security;
}
