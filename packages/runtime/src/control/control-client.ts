import type { CellHealth } from '../cell/cell-status.js';
import type { VersionedConfig } from '../config/swarm-config-store.js';
import { OverloadedError, RequestTimeoutError } from '../errors.js';
import { createSubjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import {
  AGENT_PAGE,
  type AgentInfo,
  type AgentListPage,
  CONTROL_COMMAND,
  type CreateAgentRequest,
  type DrainReply,
  type MetricsQuery,
  type NodeInfo,
  READ_ONLY_CONTROL_COMMANDS,
  type SystemStatus,
} from './control-commands.js';
import type { EvolutionStatus, EvolveStarted, EvolveStartRequest } from './evolution-commands.js';

/** A typed client of the control plane, as the CLI uses it. */
export interface ControlClient {
  listAgents(): Promise<AgentInfo[]>;
  /**
   * Creates a cell through the leader. While the swarm refuses new cells as overloaded
   * (OverloadedError, retryable), waits and asks again for up to `overloadWaitMs` millis
   * (default 0: the refusal is returned at once).
   */
  createAgent(
    request: CreateAgentRequest,
    options?: { overloadWaitMs?: number },
  ): Promise<{ id: string; type: string; node: string }>;
  destroyAgent(id: string): Promise<{ id: string; destroyed: boolean }>;
  agentStatus(id: string): Promise<CellHealth | { id: string; type: string; node: string; status: 'unplaced' }>;
  listNodes(): Promise<NodeInfo[]>;
  /** Marks `node` unschedulable (through the leader); its cells move off in batches. */
  drainNode(node: string): Promise<DrainReply>;
  /** Makes a drained `node` schedulable again. */
  undrainNode(node: string): Promise<DrainReply>;
  cellTypes(): Promise<Array<{ type: string; description: string }>>;
  systemStatus(): Promise<SystemStatus>;
  /** Validated by the node before anything is written: a refused value reaches no node. */
  configure(set: Record<string, unknown>): Promise<VersionedConfig>;
  resetConfig(): Promise<VersionedConfig>;
  /** Restarts a cell on its node (also one given up on); resolves with the healing action. */
  triggerHeal(id: string): Promise<Record<string, unknown>>;
  /** The recovery-manager's record of healing actions. */
  healStatus(): Promise<unknown>;
  /** The latest samples of the metrics history (kept by the metrics-collector). */
  queryMetrics(
    query?: MetricsQuery,
  ): Promise<Array<{ at: number; nodes: unknown; cells: Array<Record<string, unknown>> }>>;
  /** Starts an evolution run (through the leader); a previous run's islands are destroyed. */
  evolveStart(request: EvolveStartRequest): Promise<EvolveStarted>;
  /** Stops every island of the run (through the leader); they keep their results. */
  evolveStop(): Promise<{ run: string | null; stopped: number }>;
  evolveStatus(): Promise<EvolutionStatus>;
  /** Changes settings of the running islands live. */
  evolveConfigure(set: Record<string, unknown>): Promise<{ run: string | null; islands: number }>;
  /** Tries a configuration live: the adaptive-config cell keeps it only if the swarm does better. */
  evolveApply(set: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Options of {@link createControlClient}. */
export interface ControlClientOptions {
  /** Per-request timeout, in millis; default 15000 (create and destroy wait for the cell). */
  timeoutMs?: number;
  /**
   * A read-only command not answered within this many millis is sent again, the first answer
   * winning, until its timeout; default {@link READ_HEDGE_MS}.
   */
  hedgeMs?: number;
}

/**
 * When a read-only control command is sent again, in millis. Control commands go to a queue
 * group of every node; NATS picks one at random, and a paused (SIGSTOP) or stuck node holds the
 * request unanswered. Later than a listing waits for a node's cells (1.5 s), so a slow but working
 * answer is rarely doubled; each copy goes to a member picked afresh (in a 3-node swarm with one
 * node paused, 1 in 3 copies lands on it).
 */
export const READ_HEDGE_MS = 2000;

const READ_ONLY: ReadonlySet<string> = new Set(READ_ONLY_CONTROL_COMMANDS);

/** Creates a control-plane client for `swarm` over `transport`. */
export function createControlClient(
  transport: Transport,
  swarm: string,
  options: ControlClientOptions = {},
): ControlClient {
  const subjects = createSubjects(swarm);
  const timeout = options.timeoutMs ?? 15_000;
  const hedgeMs = options.hedgeMs ?? READ_HEDGE_MS;
  const call = <T>(command: string, body?: unknown): Promise<T> =>
    (READ_ONLY.has(command)
      ? hedgedRequest(transport, subjects.control(command), command, body, timeout, hedgeMs)
      : transport.request(subjects.control(command), command, body, { timeout })) as Promise<T>;
  return {
    // Page by page: a whole large swarm does not fit in one NATS message.
    listAgents: async () => {
      const all: AgentInfo[] = [];
      for (;;) {
        const page = await call<AgentListPage>(CONTROL_COMMAND.agentList, { offset: all.length, limit: AGENT_PAGE });
        all.push(...page.agents);
        if (page.agents.length === 0 || all.length >= page.total) return all;
      }
    },
    createAgent: async (request, options = {}) => {
      const deadline = Date.now() + (options.overloadWaitMs ?? 0);
      for (let pauseMs = 100; ; pauseMs = Math.min(pauseMs * 2, 1000)) {
        try {
          return await call(CONTROL_COMMAND.agentCreate, request);
        } catch (err) {
          if (!(err instanceof OverloadedError) || Date.now() + pauseMs > deadline) throw err;
          // The refusal is immediate, so this pause is the only thing spacing out the retries.
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      }
    },
    destroyAgent: (id) => call(CONTROL_COMMAND.agentDestroy, { id }),
    agentStatus: (id) => call(CONTROL_COMMAND.agentStatus, { id }),
    listNodes: () => call(CONTROL_COMMAND.nodeList),
    drainNode: (node) => call(CONTROL_COMMAND.nodeDrain, { node }),
    undrainNode: (node) => call(CONTROL_COMMAND.nodeUndrain, { node }),
    cellTypes: () => call(CONTROL_COMMAND.cellTypes),
    systemStatus: () => call(CONTROL_COMMAND.systemStatus),
    configure: (set) => call(CONTROL_COMMAND.systemConfigure, { set }),
    resetConfig: () => call(CONTROL_COMMAND.systemReset),
    triggerHeal: (id) => call(CONTROL_COMMAND.healTrigger, { id }),
    healStatus: () => call(CONTROL_COMMAND.healStatus),
    queryMetrics: (query = {}) => call(CONTROL_COMMAND.metricsQuery, query),
    evolveStart: (request) => call(CONTROL_COMMAND.evolveStart, request),
    evolveStop: () => call(CONTROL_COMMAND.evolveStop),
    evolveStatus: () => call(CONTROL_COMMAND.evolveStatus),
    evolveConfigure: (set) => call(CONTROL_COMMAND.evolveConfigure, { set }),
    evolveApply: (set) => call(CONTROL_COMMAND.evolveApply, { set }),
  };
}

/**
 * A request that is sent again every `hedgeMs` millis while none of its copies has answered,
 * until `timeoutMs` after the first: the first answer wins, and so does the first refusal (an
 * error the responder sent, no responders, a closed connection); it times out only when every
 * copy has. Only for requests that change nothing: a copy may be carried out after the winner.
 */
export function hedgedRequest(
  transport: Transport,
  subject: string,
  type: string,
  body: unknown,
  timeoutMs: number,
  hedgeMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    let pending = 0;
    let sent = 0;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
    };
    const send = () => {
      const left = deadline - Date.now();
      pending++;
      sent++;
      transport.request(subject, type, body, { timeout: Math.max(1, left) }).then(
        (reply) => {
          if (settled) return;
          settle();
          resolve(reply);
        },
        (err: unknown) => {
          pending--;
          if (settled) return;
          if (err instanceof RequestTimeoutError && pending > 0) return;
          settle();
          reject(
            err instanceof RequestTimeoutError && sent > 1
              ? new RequestTimeoutError(`no reply on ${subject} within ${timeoutMs} ms (sent ${sent} times)`, {
                  cause: err,
                })
              : err,
          );
        },
      );
      if (left > hedgeMs) timer = setTimeout(send, hedgeMs);
    };
    send();
  });
}
