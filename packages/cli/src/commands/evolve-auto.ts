import type { AutoEvolutionStatus } from '@hms/agents';
import { createControlClient } from '@hms/runtime/client';
import { Command } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { globalOptions, withConnection } from '../global-options.js';
import { formatJson } from '../output.js';

const fixed = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(3));
const iso = (at: number) => new Date(at).toISOString();

/** The text of `hms evolve auto status`. */
export function renderAutoStatus(auto: AutoEvolutionStatus | null, now = Date.now()): string {
  if (!auto) return 'no adaptive-config cell: hms agent create adaptive-config';
  const threshold = auto.baseline === null ? '-' : fixed(auto.baseline * (1 - auto.dropPct / 100));
  const lines = [
    `auto evolution: ${auto.enabled ? 'on' : 'off'}`,
    `fitness ${fixed(auto.fitness)}, baseline ${auto.baseline === null ? 'learning' : fixed(auto.baseline)} over ${auto.baselineMs} ms; a run starts below ${threshold} (${auto.dropPct}% drop)`,
    `schedule: ${auto.scheduleMs > 0 ? `every ${auto.scheduleMs} ms${auto.nextScheduledAt ? `, next ${iso(auto.nextScheduledAt)}` : ''}` : 'off'}; cool-down ${auto.cooldownMs} ms${auto.quietUntil > now ? ` (until ${iso(auto.quietUntil)})` : ''}`,
  ];
  if (auto.run)
    lines.push(
      `under way: run ${auto.run.run} by ${auto.run.by} (${auto.run.done.length}/${auto.run.islands} islands done)`,
    );
  if (auto.held) lines.push(`held: ${auto.held}`);
  const last = auto.last;
  lines.push(
    last
      ? `last self-started run: ${last.run ?? '-'} at ${iso(last.at)}, ${last.outcome}; why: ${last.reason}`
      : 'last self-started run: none',
  );
  return lines.join('\n');
}

/** `hms evolve auto on|off|status`: evolution that starts itself (the `evolution.auto` setting). */
export function createEvolveAutoCommand({ output }: CommandDeps): Command {
  const auto = new Command('auto').description(
    'evolution that starts itself on a fitness drop or a schedule (evolution.* settings): on, off, status',
  );
  for (const [name, value] of [
    ['on', 1],
    ['off', 0],
  ] as const) {
    auto
      .command(name)
      .description(value ? 'let adaptive-config start swarm-objective runs by itself' : 'start no run by itself')
      .action(async (_opts, command: Command) => {
        const g = globalOptions(command);
        const r = await withConnection(g, (t) =>
          createControlClient(t, g.swarm).configure({ 'evolution.auto': value }),
        );
        output.out(g.json ? formatJson(r) : `auto evolution ${name} (configuration version ${r.version})`);
      });
  }
  auto
    .command('status')
    .description('on/off, baseline, current fitness, threshold, schedule, the last self-started run and why')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const status = await withConnection(g, (t) => createControlClient(t, g.swarm).evolveStatus());
      const a = ((status.tuning ?? null) as { auto?: AutoEvolutionStatus } | null)?.auto ?? null;
      if (g.json) {
        output.out(formatJson(a));
        return;
      }
      output.out(renderAutoStatus(a));
    });
  return auto;
}
