// The README's NATS CLI lines (`nats sub`, `nats sub --translate 'npx hms decode'`, `nats kv get`,
// `nats micro ls`), run as written against a swarm: the real natscli, built by set-up with Go.
import { counterCell } from '@hms/agents';
import { startTestNodes, stopTestNodes, type TestNode, uniqueSwarm } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../fixtures/fresh-project.js';
import { findNatsCli, runNats } from '../fixtures/nats-cli.js';
import { runHms } from '../fixtures/run-hms.js';

const nats = findNatsCli();

describe.runIf(nats)("the README's nats CLI lines", () => {
  const bin = nats as string;
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('readme');
  const env = { NATS_URL: url, HMS_SWARM: swarm };
  let nodes: TestNode[] = [];

  beforeAll(async () => {
    nodes = await startTestNodes(url, swarm, ['rn'], [counterCell]);
    const created = await runHms(['agent', 'create', 'counter', '--id', 'c1'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
  });

  it(`nats sub 'hms.<swarm>.>' shows the swarm's messages with their headers in plain text`, async () => {
    const r = await runNats(bin, url, ['sub', `hms.${swarm}.>`, '--count', '3']);
    expect(r.code).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain(`hms.${swarm}.hb.rn`);
    expect(out).toMatch(/hms-type: ?\S+/i);
    expect(out).toMatch(/hms-from: ?rn/i);
  });

  it(`nats sub --translate 'npx hms decode' prints each body as JSON`, async () => {
    const r = await runNats(bin, url, ['sub', '--translate', 'npx hms decode', `hms.${swarm}.hb.rn`, '--count', '1'], {
      cwd: repoRoot,
      timeoutMs: 40_000,
    });
    expect(r.code).toBe(0);
    const line = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('{'));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ node: 'rn' });
  });

  it('nats kv get reads a desired cell from the hms-<swarm>-cells bucket as JSON', async () => {
    const r = await runNats(bin, url, ['kv', 'get', `hms-${swarm}-cells`, 'c1', '--raw']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'c1', type: 'counter' });
  });

  it("nats micro ls lists the node's control plane", async () => {
    const r = await runNats(bin, url, ['micro', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hms-control');
  });
});
