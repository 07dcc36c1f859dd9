import type { CellInspection, StateTreeNode } from '@hms/runtime/client';

/** The state tree as indented lines: `●` active, `○` not. */
export function stateTreeLines(node: StateTreeNode, depth = 0): string[] {
  const mark = node.active ? '●' : '○';
  const kind = node.type === 'atomic' ? '' : ` (${node.type})`;
  return [
    `${'  '.repeat(depth)}${mark} ${node.key}${kind}`,
    ...node.children.flatMap((c) => stateTreeLines(c, depth + 1)),
  ];
}

/** `hms agent inspect` as text: the cell, its context, its states and its last events. */
export function formatInspection(c: CellInspection): string {
  const time = (at: number) => new Date(at).toISOString().slice(11, 23);
  return [
    `cell ${c.id} (${c.type}) on ${c.node}: ${c.status}, state ${JSON.stringify(c.state)}`,
    `mailbox ${c.mailbox} · handled ${c.handled} · errors ${c.errors} · restarts ${c.restarts}${c.lastError ? ` · last error: ${c.lastError}` : ''}`,
    '',
    'context:',
    ...JSON.stringify(c.context, null, 2)
      .split('\n')
      .map((l) => `  ${l}`),
    '',
    'states (● active):',
    ...stateTreeLines(c.tree).map((l) => `  ${l}`),
    '',
    `last events (${c.events.length}, oldest first):`,
    ...(c.events.length
      ? c.events.map(
          (e) =>
            `  ${time(e.at)} ${e.dir === 'in' ? 'in ' : 'out'} ${e.type}${e.peer ? ` ${e.dir === 'in' ? 'from' : 'to'} ${e.peer}` : ''}`,
        )
      : ['  none yet']),
  ].join('\n');
}
