import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CellInspection,
  CONSOLE_EVENT,
  connectTransport,
  createControlClient,
  createSilentLogger,
  createSubjects,
  type SystemStatus,
  type Transport,
} from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentGraph } from '../../src/agent-graph.js';
import { hmsBin, runHms } from '../fixtures/run-hms.js';
import { startTmux, type TmuxTerminal } from '../fixtures/tmux-terminal.js';

const NODES = ['node-1', 'node-2', 'node-3'];

/** The row of `node` in the nodes table, or ''. */
const nodeRow = (screen: string, node: string) => screen.split('\n').find((l) => l.startsWith(`${node} `)) ?? '';

describe('hms dashboard in a real terminal against a 3-node swarm of processes', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-dash-'));
  const swarm = `dash${process.pid}`;
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  let client: Transport;
  let term: TmuxTerminal;

  beforeAll(async () => {
    const up = await runHms(['up', '--nodes', '3', '--detach'], env);
    expect(up.code, up.stderr).toBe(0);
    client = await connectTransport({
      servers: env.NATS_URL,
      from: 'test',
      logger: createSilentLogger(),
      reconnect: false,
    });
    term = startTmux(`${process.execPath} ${hmsBin} dashboard; echo "EXIT=$?"`, { columns: 100, rows: 30, env });
  }, 60_000);
  afterAll(async () => {
    term?.close();
    await client?.close();
    await runHms(['down'], env);
    rmSync(home, { recursive: true, force: true });
  });

  it('prints one plain-text frame of the health view without a TTY (--once implied) and exits 0', async () => {
    const { code, stdout } = await runHms(['dashboard'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^HMS swarm dash\d+: /);
    for (const n of NODES) expect(stdout).toMatch(new RegExp(`^${n}\\s+alive`, 'm'));
    expect(stdout).toMatch(/\d+ cells \(\d+ running/);
    expect(stdout).not.toContain('\x1b[');
  });

  it('lists the three nodes, the leader and the cells by status in the health view', async () => {
    const screen = await term.waitForScreen(
      (s) =>
        NODES.every((n) => nodeRow(s, n).includes('alive')) &&
        /cells \d+: \d+ running/.test(s) &&
        /leader node-\d/.test(s),
      'three alive nodes, a leader and running cells',
    );
    expect(screen).toContain('1 Health');
    expect(screen).toMatch(/status HEALTHY|status DEGRADED/);
    expect(term.query('#{alternate_on}')).toBe('1');
  });

  it('is a connected console of the swarm, shown by hms system status', async () => {
    await term.waitForScreen((s) => /1 console \(cli-/.test(s), 'itself among the consoles');
    const status = JSON.parse((await runHms(['system', 'status', '--json'], env)).stdout) as SystemStatus;
    expect(status.consoles?.map((c) => c.command)).toContain('dashboard');
    expect(status.consoles?.[0]?.id).toMatch(/^cli-[A-Za-z0-9_-]+-\d+$/);
  });

  it('notices a console that vanishes without leaving (hms sub killed with -9): console.lost, gone from system.status', async () => {
    const subjects = createSubjects(swarm);
    const lost: string[] = [];
    const sub = client.subscribe(subjects.eventPattern(CONSOLE_EVENT.lost), (m) => {
      lost.push((m.body as { id: string }).id);
    });
    const child = spawn(process.execPath, [hmsBin, 'sub', `hms.${swarm}.evt.nothing.>`], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    try {
      const consoles = async () => (await createControlClient(client, swarm).systemStatus()).consoles ?? [];
      await waitFor(async () => (await consoles()).some((c) => c.pid === child.pid && c.command.startsWith('sub ')), {
        timeoutMs: 10_000,
        everyMs: 100,
        what: 'hms sub among the consoles',
      });
      child.kill('SIGKILL');
      await waitFor(async () => !(await consoles()).some((c) => c.pid === child.pid), {
        timeoutMs: 10_000,
        everyMs: 100,
        what: 'the killed console gone from system.status',
      });
      await waitFor(() => lost.some((id) => id.endsWith(`-${child.pid}`)), {
        timeoutMs: 3000,
        everyMs: 50,
        what: 'console.lost from the leader',
      });
    } finally {
      sub.unsubscribe();
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('inspects a cell: state value, context, the state tree with the active state, its last events', async () => {
    await runHms(['agent', 'call', 'counter-1', 'increment', '{"by":2}'], env);
    const text = await runHms(['agent', 'inspect', 'counter-1'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^cell counter-1 \(counter\) on node-\d: running, state "counting"/);
    expect(text.stdout).toMatch(/states \(● active\):\n {2}● counter \(compound\)\n {4}● counting/);
    expect(text.stdout).toMatch(/in {2}increment from /);
    const json = JSON.parse((await runHms(['agent', 'inspect', 'counter-1', '--json'], env)).stdout) as CellInspection;
    expect(json.context).toMatchObject({ count: 2 });
    expect(json.tree.children.find((c) => c.key === 'counting')?.active).toBe(true);
    expect(json.events.some((e) => e.dir === 'out' && e.type === 'counter.changed')).toBe(true);
    expect((await runHms(['agent', 'inspect', 'no-such-cell'], env)).code).toBe(1);
  });

  it('prints the communication graph: the pingers calling the pongers (caller and callee), the counter listening to ticks from any cell', async () => {
    const run = await runHms(['agent', 'graph', '--format', 'json', '--window', '5000'], env);
    expect(run.code, run.stderr).toBe(0);
    const graph = JSON.parse(run.stdout) as AgentGraph;
    expect(graph.cells.map((c) => c.id)).toContain('counter-1');
    for (const n of [1, 2, 3]) {
      const edge = graph.calls.find((e) => e.from === `pinger-${n}`);
      expect(edge?.to).toMatch(/^ponger-\d$/);
      expect(edge?.calls).toBeGreaterThan(0);
    }
    expect(graph.events).toContainEqual({ from: '*', to: 'counter-1', event: 'tick' });
    const dot = await runHms(['agent', 'graph', '--window', '1500'], env);
    expect((await runHms(['agent', 'graph', '--window', '10'], env)).code).toBe(2);
    expect(dot.stdout).toMatch(/^digraph hms \{[\s\S]*"\*" -> "counter-1" \[label="tick", style=dashed\];/);
  });

  it('switches views with 1-4 and Tab, selects with the arrows and drills into a cell with Enter', async () => {
    term.keys('2');
    await term.waitForScreen(
      (s) => s.includes('CELL ') && /counter-1\s+counter/.test(s),
      'the agents view with the cells',
    );
    term.keys('Down', 'Enter');
    await term.waitForScreen(
      (s) => /cell \S+ \(\S+\) · running · state/.test(s) && s.includes('states (● active):') && s.includes('context:'),
      'a cell in detail: its states and context',
    );
    term.keys('Escape');
    await term.waitForScreen((s) => s.includes('CELL '), 'back to the agents list');
    term.keys('/', 'p', 'o', 'n', 'g', 'e', 'r', 'Enter');
    await term.waitForScreen(
      (s) => s.includes('3 cells') && s.includes('[ponger]'),
      'the list filtered to the pongers',
    );
    term.keys('Escape', '3');
    await term.waitForScreen(
      (s) => s.includes('no GA islands reporting') || s.includes('ISLAND'),
      'the evolution view',
    );
    term.keys('Tab');
    await term.waitForScreen((s) => /samples since|no metric samples|reading the metrics/.test(s), 'the metrics view');
    term.keys('?');
    await term.waitForScreen((s) => s.includes('Keys') && s.includes('q, Ctrl-C'), 'the help');
    term.keys('?', '1');
    await term.waitForScreen((s) => s.includes('status ') && s.includes('NODE '), 'the health view again');
  });

  it('redraws on resize, at 80x24 and larger', async () => {
    term.resize(80, 24);
    await term.waitForScreen((s) => {
      const lines = s.split('\n');
      return (
        lines.length <= 25 &&
        lines[0]?.trimEnd().endsWith('connected') === true &&
        (lines[0]?.trimEnd().length ?? 0) <= 80
      );
    }, 'the header fitted to 80 columns');
    await term.waitForScreen(
      (s) => s.split('\n').some((l) => l.startsWith('1-4/Tab views')),
      'the footer on the last row',
    );
    term.resize(120, 40);
    await term.waitForScreen(
      (s) => (s.split('\n')[0]?.trimEnd().length ?? 0) > 100,
      'the header widened to 120 columns',
    );
  });

  it('shows the new leader within a second of the election and the killed node down and healing within 5 s', async () => {
    const before = await createControlClient(client, swarm).systemStatus();
    const victim = before.leader as string;
    expect(victim).toMatch(/^node-\d$/);
    const pid = (
      JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; pid: number }> }
    ).nodes.find((n) => n.name === victim)?.pid as number;
    // The election's own traffic says when it ended: the first leader heartbeat of a higher term.
    let electedAt = 0;
    let elected = '';
    const sub = client.subscribe(createSubjects(swarm).raft('heartbeat'), (m) => {
      const beat = m.body as { term: number; from: string };
      if (electedAt === 0 && beat.term > before.term) {
        electedAt = Date.now();
        elected = beat.from;
      }
    });
    await client.flush();
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    try {
      // Both watched at once: each is timed from the election it shows.
      let status: SystemStatus = before;
      const [dashboardAt, statusAt] = await Promise.all([
        term
          .waitForScreen(
            (s) => electedAt > 0 && new RegExp(`leader ${elected} · term`).test(s),
            'the new leader on the dashboard',
            10_000,
          )
          .then(() => Date.now()),
        waitFor(
          async () => {
            // A request the killed node took as it died is never answered: ask again soon.
            const answer = await createControlClient(client, swarm, { timeoutMs: 500 })
              .systemStatus()
              .catch(() => undefined);
            if (answer) status = answer;
            return electedAt > 0 && answer?.leader === elected;
          },
          { timeoutMs: 10_000, everyMs: 50, what: 'the new leader in system.status' },
        ).then(() => Date.now()),
      ]);
      const dashboardMs = dashboardAt - electedAt;
      const statusMs = statusAt - electedAt;
      expect(dashboardMs).toBeLessThan(1000);
      expect(statusMs).toBeLessThan(1000);
      expect(status.nodes.find((n) => n.node === elected)?.role).toBe('leader');
      await term.waitForScreen(
        (s) => nodeRow(s, victim).includes(' down ') && /healing\n\s+\d\d:\d\d:\d\d · (re-placed|restart)/.test(s),
        'the killed node down and its cells being healed',
        Math.max(0, 5000 - (Date.now() - killedAt)),
      );
      process.stdout.write(
        `kill -9 of leader ${victim}: elected ${elected} after ${electedAt - killedAt} ms; shown by the dashboard ${dashboardMs} ms and by system.status ${statusMs} ms after; down and healing shown ${Date.now() - killedAt} ms after the kill\n`,
      );
    } finally {
      sub.unsubscribe();
    }
  }, 30_000);

  it('quits on q with exit code 0, the alternate screen left and the cursor shown, and leaves the swarm', async () => {
    term.keys('q');
    await waitFor(() => term.history().includes('EXIT=0'), { timeoutMs: 10_000, everyMs: 100, what: 'exit code 0' });
    expect(term.query('#{alternate_on}')).toBe('0');
    // What the program wrote last: the alternate screen left, then the cursor shown.
    const written = term.output();
    expect(written).toContain('\x1b[?1049h');
    expect(written.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(written.lastIndexOf('\x1b[?1049h'));
    expect(written.lastIndexOf('\x1b[?25h')).toBeGreaterThan(written.lastIndexOf('\x1b[?25l'));
    await waitFor(async () => ((await createControlClient(client, swarm).systemStatus()).consoles ?? []).length === 0, {
      timeoutMs: 3000,
      everyMs: 100,
      what: 'the console gone from system.status after its leaving heartbeat',
    });
  });
});
