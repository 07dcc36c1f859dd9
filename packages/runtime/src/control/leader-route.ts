import type { Clock } from '../clock.js';
import { ROLE } from '../election/election-core.js';
import type { ElectionView } from '../election/election-runner.js';
import { NoLeaderError, NoRespondersError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IncomingMessage } from '../transport/message.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import { CONTROL_COMMAND } from './control-commands.js';

/** How long the leader may take to confirm its term in the store before a change, in millis. */
const CONFIRM_TIMEOUT_MS = 2000;

/** The control commands that change the swarm: only the leader carries them out. */
export const SWARM_WIDE_COMMANDS: ReadonlySet<string> = new Set([
  CONTROL_COMMAND.agentCreate,
  CONTROL_COMMAND.agentDestroy,
  CONTROL_COMMAND.systemConfigure,
  CONTROL_COMMAND.systemReset,
  CONTROL_COMMAND.evolveStart,
  CONTROL_COMMAND.evolveStop,
  CONTROL_COMMAND.nodeDrain,
  CONTROL_COMMAND.nodeUndrain,
]);

/** Options of {@link createLeaderRoute}. */
export interface LeaderRouteOptions {
  transport: Transport;
  subjects: Subjects;
  nodeId: string;
  clock: Clock;
  logger: Logger;
  election: () => ElectionView;
  /**
   * Confirms that the leader record in KV still names this node for `term` (writing it if the
   * claim is still in flight); false when a newer leader is recorded.
   */
  confirmLeadership: (term: number) => Promise<boolean>;
  /** Carries out a swarm-wide command; called on the leader only. */
  handle: (command: string, msg: IncomingMessage) => Promise<unknown>;
  /** How long a change waits for a leader before it is refused, in millis; default 5000. */
  leaderWaitMs?: number;
  /** How long the leader may take to carry a change out, in millis; default 14000. */
  leaderReplyMs?: number;
}

/** Routes swarm-wide commands to the leader. */
export interface LeaderRoute {
  /** Carries out `command` on the leader, waiting for one to be elected; @throws NoLeaderError. */
  forward(command: string, msg: IncomingMessage): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Swarm-wide changes (create, destroy, configure) are made by the leader alone: any node takes
 * the operator's request and forwards it on `hms.<swarm>.lead.<leaderId>.<command>` to the node
 * it believes leads. Every node listens on its own leader subject for as long as it runs (no
 * subscription comes and goes with the role, so no request is lost in between), and one that is
 * not the leader (any more) refuses; the forwarding node then retries with the next leader it
 * sees. The leader re-checks its term against the KV leader record before each change, so a
 * deposed leader that has not noticed yet refuses too. With no leader reachable (a minority
 * partition, or an election under way for longer than `leaderWaitMs`) the change is refused
 * with {@link NoLeaderError}; the cells themselves keep running and healing where they are (a
 * node cut off from the majority also stops them taking messages: see the node's `admits`).
 */
export function createLeaderRoute(options: LeaderRouteOptions): LeaderRoute {
  const { transport, subjects, nodeId, clock, election } = options;
  const log = options.logger.child({ component: 'leader-route' });
  const waitMs = options.leaderWaitMs ?? 5000;
  const replyMs = options.leaderReplyMs ?? 14_000;
  let stopped = false;

  const serve = async (command: string, msg: IncomingMessage): Promise<unknown> => {
    const view = election();
    if (view.role !== ROLE.leader) throw new NoLeaderError(`node ${nodeId} is no longer the leader`);
    // In a minority the record cannot be written (no JetStream quorum): that, too, is a refusal.
    const confirmed = await Promise.race([
      options.confirmLeadership(view.term).catch(() => false),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), CONFIRM_TIMEOUT_MS).unref()),
    ]);
    if (!confirmed) {
      throw new NoLeaderError(`node ${nodeId} could not confirm its leadership of term ${view.term} in the store`);
    }
    log.debug({ command, term: view.term }, 'swarm-wide change');
    return options.handle(command, msg);
  };

  const refusal = (view: ElectionView) =>
    new NoLeaderError(
      `no leader: swarm-wide changes need a leader elected by a majority of the ${view.members.length} voting ` +
        `members (${view.members.join(', ')}); node ${nodeId} reached none within ${waitMs} ms (term ${view.term}). ` +
        'This is a minority partition or an election under way; cells keep running where they are. Retry later.',
      { data: { node: nodeId, term: view.term, members: view.members } },
    );

  const sub: TransportSubscription = transport.subscribe(subjects.leaderPattern(nodeId), async (msg) => {
    const command = subjects.parseLeaderCommand(msg.subject) ?? '';
    if (!SWARM_WIDE_COMMANDS.has(command)) throw new NotFoundError(`not a swarm-wide command: ${command}`);
    msg.respond(await serve(command, msg));
  });

  return {
    async forward(command, msg) {
      const deadline = clock.now() + waitMs;
      for (;;) {
        const view = election();
        if (view.role === ROLE.leader) {
          try {
            return await serve(command, msg);
          } catch (err) {
            if (!(err instanceof NoLeaderError)) throw err;
          }
        } else if (view.leader !== null) {
          try {
            return await transport.request(subjects.leaderCommand(view.leader, command), command, msg.body, {
              timeout: replyMs,
            });
          } catch (err) {
            // The leader stepped down or was deposed in between: wait for the next one.
            if (!(err instanceof NoRespondersError) && !(err instanceof NoLeaderError)) throw err;
          }
        }
        if (clock.now() >= deadline || stopped) throw refusal(view);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      stopped = true;
      await sub.drain();
    },
  };
}
