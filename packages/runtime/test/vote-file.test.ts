import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVoteFile } from '../src/election/vote-file.js';

describe('vote-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hms-vote-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the term and vote across instances, as a restarted node reads them', async () => {
    expect(await createVoteFile(dir, 'n1').load()).toBeUndefined();
    await createVoteFile(dir, 'n1').save({ term: 7, votedFor: 'n2' });
    expect(await createVoteFile(dir, 'n1').load()).toEqual({ term: 7, votedFor: 'n2' });
    await createVoteFile(dir, 'n1').save({ term: 8, votedFor: null });
    expect(await createVoteFile(dir, 'n1').load()).toEqual({ term: 8, votedFor: null });
  });

  it('creates its directory when missing', async () => {
    const nested = join(dir, 'a', 'b');
    await createVoteFile(nested, 'n1').save({ term: 1, votedFor: 'n1' });
    expect(await createVoteFile(nested, 'n1').load()).toEqual({ term: 1, votedFor: 'n1' });
  });

  it.each([
    ['not JSON', 'term=3'],
    ['a negative term', '{"term":-1,"votedFor":null}'],
    ['a fractional term', '{"term":1.5,"votedFor":null}'],
    ['no term', '{"votedFor":"n2"}'],
  ])('refuses a vote file with %s, naming the file', async (_what, content) => {
    writeFileSync(join(dir, 'vote-bad.json'), content);
    await expect(createVoteFile(dir, 'bad').load()).rejects.toThrow(/vote-bad\.json: /);
  });

  it('refuses a node id that is not one token', () => {
    expect(() => createVoteFile(dir, '../etc')).toThrow(/invalid node id/);
  });
});
