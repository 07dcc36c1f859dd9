import { render } from 'ink';
import { joinAsConsole } from '../console-presence.js';
import { connectCli, type GlobalOptions } from '../global-options.js';
import { fetchCellStatus } from './cells-feed.js';
import { App } from './components/app.js';
import { createDashboardFeeds } from './dashboard-feeds.js';

/** Enter / leave the alternate screen; show the cursor. */
const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CURSOR_SHOW = '\x1b[?25h';

/**
 * The live dashboard on the alternate screen, until `q` or Ctrl-C; the terminal is restored
 * (main screen, cursor shown) however it ends. The session joins the swarm as a console.
 */
export async function runDashboard(g: GlobalOptions): Promise<void> {
  const transport = await connectCli(g, 'hms-dashboard', true);
  // Subscribed first, so that the dashboard sees its own console heartbeats too.
  const feeds = createDashboardFeeds(transport, g.swarm);
  const presence = joinAsConsole(transport, g.swarm, 'dashboard', { onAlert: (a) => feeds.health.alertPushed(a) });
  const restore = () => process.stdout.write(`${ALT_SCREEN_OFF}${CURSOR_SHOW}`);
  process.stdout.write(ALT_SCREEN_ON);
  process.once('exit', restore);
  const app = render(
    <App
      swarm={g.swarm}
      feeds={feeds}
      connected={() => transport.isConnected}
      fetchCell={(id) => fetchCellStatus(transport, g.swarm, id)}
    />,
    { exitOnCtrlC: true, patchConsole: true, incrementalRendering: true, maxFps: 20 },
  );
  const quit = () => app.unmount();
  process.once('SIGTERM', quit);
  process.once('SIGHUP', quit);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', quit);
    process.off('SIGHUP', quit);
    restore();
    process.off('exit', restore);
    feeds.stop();
    await presence.leave();
    await transport.close();
  }
}
