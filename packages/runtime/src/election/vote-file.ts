import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { assertToken } from '../transport/subjects.js';
import type { DurableElectionState } from './election-core.js';

/** Where a node keeps its durable election state: its current term and the vote it cast in it. */
export interface VoteStore {
  load(): Promise<DurableElectionState | undefined>;
  /** Resolves once the state is durable: no message that depends on it may be sent before. */
  save(state: DurableElectionState): Promise<void>;
}

/**
 * The durable vote in a local file (`<dir>/vote-<nodeId>.json`), as Raft keeps it: written to a
 * temporary file, fsynced, renamed over the old one. Local, so that an election never waits for
 * JetStream — which, in a NATS cluster that just lost a server, is itself electing leaders and
 * can take seconds per write.
 */
export function createVoteFile(dir: string, nodeId: string): VoteStore {
  assertToken(nodeId, 'node id');
  const path = join(dir, `vote-${nodeId}.json`);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      let parsed: Partial<DurableElectionState>;
      try {
        parsed = JSON.parse(text) as Partial<DurableElectionState>;
      } catch (err) {
        throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
      }
      if (typeof parsed.term !== 'number' || !Number.isInteger(parsed.term) || parsed.term < 0) {
        throw new Error(`${path}: field term must be a whole number >= 0`);
      }
      return { term: parsed.term, votedFor: typeof parsed.votedFor === 'string' ? parsed.votedFor : null };
    },
    async save(state) {
      await mkdir(dir, { recursive: true });
      const tmp = `${path}.tmp`;
      const file = await open(tmp, 'w');
      try {
        await file.writeFile(JSON.stringify({ term: state.term, votedFor: state.votedFor }));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
    },
  };
}
