import { Command } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { printHealthFrame } from '../dashboard/print-health-frame.js';
import { globalOptions } from '../global-options.js';

/** `hms dashboard [--once]`: the live console, or one plain-text frame of its health view. */
export function createDashboardCommand({ output }: CommandDeps): Command {
  return new Command('dashboard')
    .description('live dashboard of the swarm: health, agents, evolution, metrics (q quits; --once prints one frame)')
    .option('--once', 'print one plain-text frame of the health view and exit (also without a TTY)', false)
    .action(async (opts: { once: boolean }, command: Command) => {
      const g = globalOptions(command);
      if (opts.once || !process.stdout.isTTY || !process.stdin.isTTY) {
        output.out(await printHealthFrame(g));
        return;
      }
      // React's production build: its development build checks and times every render (3x the CPU).
      process.env.NODE_ENV ??= 'production';
      // A terminal is interactive whatever the environment says: Ink reads CI (or
      // CONTINUOUS_INTEGRATION) when it loads and then draws only the last frame, on exit.
      process.env.CI = 'false';
      process.env.CONTINUOUS_INTEGRATION = 'false';
      // Loaded here, not at start-up: other commands never load Ink and React.
      const { runDashboard } = await import('../dashboard/run-dashboard.js');
      await runDashboard(g);
    });
}
