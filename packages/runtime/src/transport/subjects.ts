/**
 * Every NATS subject HMS uses is built here, and only here. Each builder validates its tokens,
 * so a cell id such as `a.b` or `*` can never widen a subscription or address the wrong cell.
 *
 * ```
 * hms.<swarm>.cell.<cellId>                 a cell's inbox; request/reply supported
 * hms.<swarm>.evt.<eventType>.<cellId>      events a cell publishes (pub/sub)
 * hms.<swarm>.hb.<nodeId>                   node heartbeats with the health of its cells
 * hms.<swarm>.raft.<rpc>[.<nodeId>]         election traffic
 * hms.<swarm>.ga.<islandId>.migrants        GA migration
 * hms.<swarm>.ctl.<command>                 control plane served to the CLI (queue group)
 * hms.<swarm>.lead.<nodeId>.<command>       swarm-wide changes, forwarded to the leader
 * hms.<swarm>.node.<nodeId>.<command>       questions for one node (e.g. its cells' detail)
 * hms.<swarm>.console.<consoleId>           a connected console's (CLI session's) heartbeats
 * hms.<swarm>.console.<consoleId>.alert     alerts pushed to that console (by the leader)
 * hms.<swarm>.svc.<service>.<endpoint>      a plugin service's endpoint (swarm-scoped)
 * hms.svc.<service>.<endpoint>              a service endpoint's default subject (any swarm)
 * $SRV.<PING|INFO|STATS>[.<name>[.<id>]]    NATS Services discovery (ADR-32, `nats micro`)
 * ```
 */
import { InvalidNameError } from '../errors.js';

/** The first token of every HMS subject. */
export const SUBJECT_ROOT = 'hms';

/** The queue group that serves the control plane: one node answers each control request. */
export const CONTROL_QUEUE = 'hms-ctl';

const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Checks that `value` is one subject token: 1 to 128 of `A-Z a-z 0-9 _ -`.
 * @throws InvalidNameError naming `what` and the bad value.
 */
export function assertToken(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new InvalidNameError(`invalid ${what} ${JSON.stringify(value)}: use 1-128 characters of A-Z a-z 0-9 _ -`, {
      data: { field: what },
    });
  }
}

/** True when `value` is a valid single subject token. */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/**
 * Checks a dotted name (an event type such as `health.changed`, a control command such as
 * `agent.list`): one or more valid tokens joined by dots.
 */
export function assertDottedName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length > 256 || !value.split('.').every(isToken)) {
    throw new InvalidNameError(
      `invalid ${what} ${JSON.stringify(value)}: use dot-separated tokens of A-Z a-z 0-9 _ -`,
      { data: { field: what } },
    );
  }
}

/** Subject builders for one swarm. Create with {@link createSubjects}. */
export interface Subjects {
  readonly swarm: string;
  /** Everything in the swarm: `hms.<swarm>.>` (for watching only). */
  all(): string;
  /** A cell's inbox. */
  cellInbox(cellId: string): string;
  /** Every cell's inbox: `hms.<swarm>.cell.*`. */
  cellInboxPattern(): string;
  /** The event subject a cell publishes `eventType` on. */
  event(eventType: string, cellId: string): string;
  /** A pattern matching `eventType` from any cell (or every event when omitted). */
  eventPattern(eventType?: string): string;
  /**
   * Events whose type matches a NATS-style pattern from any cell: `health.changed`, `circuit.*`
   * (one token) or `cell.>` (one or more tokens).
   */
  eventTypePattern(pattern: string): string;
  /** The queue group in which the nodes share a plugin's event handlers (each event handled once). */
  pluginQueue(pluginId: string): string;
  /** A node's heartbeat subject. */
  heartbeat(nodeId: string): string;
  /** Every node's heartbeat. */
  heartbeatPattern(): string;
  /** Election traffic; addressed to one node when `nodeId` is given. */
  raft(rpc: string, nodeId?: string): string;
  /** Election traffic to everyone (`nodeId` omitted) or addressed to `nodeId`, any rpc. */
  raftPattern(nodeId?: string): string;
  /** Where GA island `islandId` receives migrants. */
  gaMigrants(islandId: string): string;
  /** Migrants to every island (for watching). */
  gaMigrantsPattern(): string;
  /** A control-plane command, served by the nodes in the {@link CONTROL_QUEUE} group. */
  control(command: string): string;
  /** Every control-plane command. */
  controlPattern(): string;
  /** A swarm-wide change forwarded to `nodeId`, believed to be the leader (it refuses if not). */
  leaderCommand(nodeId: string, command: string): string;
  /** Every swarm-wide change forwarded to `nodeId` (or to any node when omitted). */
  leaderPattern(nodeId?: string): string;
  /** An endpoint of a service of this swarm (a plugin's): `hms.<swarm>.svc.<service>.<endpoint>`. */
  service(serviceName: string, endpoint: string): string;
  /** Every service endpoint of this swarm: `hms.<swarm>.svc.>`. */
  servicePattern(): string;
  /** A question for one node (e.g. `cells`: the health of every cell it hosts). */
  nodeCommand(nodeId: string, command: string): string;
  /** A connected console's subject: its heartbeats (`hms.<swarm>.console.<consoleId>`). */
  console(consoleId: string): string;
  /** Every console's heartbeat subject (`hms.<swarm>.console.*`: not the alerts pushed to them). */
  consolePattern(): string;
  /**
   * Where alerts are pushed to a console: `hms.<swarm>.console.<consoleId>.alert`. A sub-subject,
   * so the nodes watching console heartbeats (`console.*`) do not receive every push.
   */
  consoleAlert(consoleId: string): string;
  /** The command of a leader subject; undefined if it is not one. */
  parseLeaderCommand(subject: string): string | undefined;
  /** Splits an event subject back into its event type and cell id; undefined if it is not one. */
  parseEvent(subject: string): { eventType: string; cellId: string } | undefined;
  /** The control command of a control subject; undefined if it is not one. */
  parseControl(subject: string): string | undefined;
}

/** Creates the subject builders for `swarm` (validated as one token). */
export function createSubjects(swarm: string): Subjects {
  assertToken(swarm, 'swarm name');
  const base = `${SUBJECT_ROOT}.${swarm}`;
  const evtPrefix = `${base}.evt.`;
  const ctlPrefix = `${base}.ctl.`;
  const leadPrefix = `${base}.lead.`;
  return {
    swarm,
    all: () => `${base}.>`,
    cellInbox(cellId) {
      assertToken(cellId, 'cell id');
      return `${base}.cell.${cellId}`;
    },
    cellInboxPattern: () => `${base}.cell.*`,
    event(eventType, cellId) {
      assertDottedName(eventType, 'event type');
      assertToken(cellId, 'cell id');
      return `${evtPrefix}${eventType}.${cellId}`;
    },
    eventPattern(eventType) {
      if (eventType === undefined) return `${evtPrefix}>`;
      assertDottedName(eventType, 'event type');
      return `${evtPrefix}${eventType}.*`;
    },
    eventTypePattern(pattern) {
      const tokens = typeof pattern === 'string' ? pattern.split('.') : [];
      const ok =
        tokens.length > 0 &&
        pattern.length <= 256 &&
        tokens.every((t, i) => isToken(t) || t === '*' || (t === '>' && i === tokens.length - 1));
      if (!ok) {
        throw new InvalidNameError(
          `invalid event type pattern ${JSON.stringify(pattern)}: use dot-separated tokens of A-Z a-z 0-9 _ -, * for one token, > last for the rest`,
          { data: { field: 'eventType' } },
        );
      }
      return tokens.at(-1) === '>' ? `${evtPrefix}${pattern}` : `${evtPrefix}${pattern}.*`;
    },
    pluginQueue(pluginId) {
      assertToken(pluginId, 'plugin id');
      return `hms-plugin-${pluginId}`;
    },
    heartbeat(nodeId) {
      assertToken(nodeId, 'node id');
      return `${base}.hb.${nodeId}`;
    },
    heartbeatPattern: () => `${base}.hb.*`,
    raft(rpc, nodeId) {
      assertToken(rpc, 'raft rpc');
      if (nodeId === undefined) return `${base}.raft.${rpc}`;
      assertToken(nodeId, 'node id');
      return `${base}.raft.${rpc}.${nodeId}`;
    },
    raftPattern(nodeId) {
      if (nodeId === undefined) return `${base}.raft.*`;
      assertToken(nodeId, 'node id');
      return `${base}.raft.*.${nodeId}`;
    },
    gaMigrants(islandId) {
      assertToken(islandId, 'island id');
      return `${base}.ga.${islandId}.migrants`;
    },
    gaMigrantsPattern: () => `${base}.ga.*.migrants`,
    control(command) {
      assertDottedName(command, 'control command');
      return `${ctlPrefix}${command}`;
    },
    controlPattern: () => `${ctlPrefix}>`,
    leaderCommand(nodeId, command) {
      assertToken(nodeId, 'node id');
      assertDottedName(command, 'control command');
      return `${leadPrefix}${nodeId}.${command}`;
    },
    leaderPattern(nodeId) {
      if (nodeId === undefined) return `${leadPrefix}>`;
      assertToken(nodeId, 'node id');
      return `${leadPrefix}${nodeId}.>`;
    },
    service(serviceName, endpoint) {
      assertToken(serviceName, 'service name');
      assertToken(endpoint, 'endpoint name');
      return `${base}.svc.${serviceName}.${endpoint}`;
    },
    servicePattern: () => `${base}.svc.>`,
    nodeCommand(nodeId, command) {
      assertToken(nodeId, 'node id');
      assertDottedName(command, 'node command');
      return `${base}.node.${nodeId}.${command}`;
    },
    console(consoleId) {
      assertToken(consoleId, 'console id');
      return `${base}.console.${consoleId}`;
    },
    consolePattern: () => `${base}.console.*`,
    consoleAlert(consoleId) {
      assertToken(consoleId, 'console id');
      return `${base}.console.${consoleId}.alert`;
    },
    parseEvent(subject) {
      if (!subject.startsWith(evtPrefix)) return undefined;
      const rest = subject.slice(evtPrefix.length);
      const dot = rest.lastIndexOf('.');
      if (dot <= 0) return undefined;
      return { eventType: rest.slice(0, dot), cellId: rest.slice(dot + 1) };
    },
    parseControl(subject) {
      return subject.startsWith(ctlPrefix) ? subject.slice(ctlPrefix.length) : undefined;
    },
    parseLeaderCommand(subject) {
      if (!subject.startsWith(leadPrefix)) return undefined;
      const rest = subject.slice(leadPrefix.length);
      const dot = rest.indexOf('.');
      return dot > 0 ? rest.slice(dot + 1) : undefined;
    },
  };
}

/** The prefix of the NATS Services (ADR-32) discovery subjects. */
export const SERVICE_API_PREFIX = '$SRV';

/** The discovery verbs of the NATS Services protocol. */
export const SERVICE_VERB = { ping: 'PING', info: 'INFO', stats: 'STATS' } as const;

/** One of {@link SERVICE_VERB}. */
export type ServiceVerb = (typeof SERVICE_VERB)[keyof typeof SERVICE_VERB];

const SERVICE_VERBS: ReadonlySet<string> = new Set(Object.values(SERVICE_VERB));

/**
 * A discovery subject: `$SRV.<verb>` (every service), `$SRV.<verb>.<name>` (every instance of
 * `name`) or `$SRV.<verb>.<name>.<id>` (one instance). `id` needs `name`.
 */
export function serviceApiSubject(verb: ServiceVerb, name?: string, id?: string): string {
  if (!SERVICE_VERBS.has(verb)) {
    throw new InvalidNameError(`invalid service verb ${JSON.stringify(verb)}: use PING, INFO or STATS`, {
      data: { field: 'verb' },
    });
  }
  if (name === undefined) {
    if (id !== undefined) throw new InvalidNameError('a service id needs a service name', { data: { field: 'id' } });
    return `${SERVICE_API_PREFIX}.${verb}`;
  }
  assertToken(name, 'service name');
  if (id === undefined) return `${SERVICE_API_PREFIX}.${verb}.${name}`;
  assertToken(id, 'service id');
  return `${SERVICE_API_PREFIX}.${verb}.${name}.${id}`;
}

/** The default subject of a service endpoint: `hms.svc.<service>.<endpoint>`. */
export function serviceEndpointSubject(service: string, endpoint: string): string {
  assertToken(service, 'service name');
  assertToken(endpoint, 'endpoint name');
  return `${SUBJECT_ROOT}.svc.${service}.${endpoint}`;
}

/** The prefix of every JetStream API subject. */
export const JETSTREAM_API_PREFIX = '$JS.API';

/** The prefix of the NATS client's default reply subjects (its inbox). */
export const INBOX_PREFIX = '_INBOX';

/** Every reply inbox of a connection in the account: `_INBOX.>`. */
export function inboxPattern(): string {
  return `${INBOX_PREFIX}.>`;
}

/** The JetStream API subjects a stream is managed and read through, grouped for permissions. */
export interface StreamApiSubjects {
  /** `STREAM.INFO`, the message get and the direct gets (last by subject, by sequence). */
  read: string[];
  /** Ephemeral or ordered consumers for reading: create, info, delete, next, flow control. */
  consume: string[];
  /** Every verb: create, update, purge, delete the stream; messages; durable consumers; acks. */
  manage: string[];
}

/**
 * The JetStream API subjects of one stream (a KV bucket's `KV_<bucket>`, an object store's
 * `OBJ_<store>`, an event log's stream). NATS wildcards match whole tokens only, so the
 * subjects name the stream exactly.
 */
export function streamApiSubjects(stream: string): StreamApiSubjects {
  assertToken(stream, 'stream name');
  const api = JETSTREAM_API_PREFIX;
  return {
    read: [
      `${api}.STREAM.INFO.${stream}`,
      `${api}.STREAM.MSG.GET.${stream}`,
      `${api}.DIRECT.GET.${stream}`,
      `${api}.DIRECT.GET.${stream}.>`,
    ],
    consume: [
      `${api}.CONSUMER.CREATE.${stream}`,
      `${api}.CONSUMER.CREATE.${stream}.>`,
      `${api}.CONSUMER.INFO.${stream}.*`,
      `${api}.CONSUMER.DELETE.${stream}.*`,
      `${api}.CONSUMER.MSG.NEXT.${stream}.*`,
      `$JS.FC.${stream}.>`,
    ],
    // Every verb on the stream (create, update, purge, delete, messages, durable consumers):
    // the API's subjects put the stream's name 3rd or 4th after `$JS.API`.
    manage: [
      `${api}.*.*.${stream}`,
      `${api}.*.*.${stream}.>`,
      `${api}.*.*.*.${stream}`,
      `${api}.*.*.*.${stream}.>`,
      `$JS.ACK.${stream}.>`,
      `$JS.FC.${stream}.>`,
    ],
  };
}

/** Account-wide JetStream questions that change nothing: account info, stream names and list. */
export function jetStreamAccountReads(): string[] {
  return [
    `${JETSTREAM_API_PREFIX}.INFO`,
    `${JETSTREAM_API_PREFIX}.STREAM.NAMES`,
    `${JETSTREAM_API_PREFIX}.STREAM.LIST`,
  ];
}

/** Every key subject of KV bucket `bucket`: `$KV.<bucket>.>` (writing a key publishes there). */
export function kvSubjectPattern(bucket: string): string {
  assertToken(bucket, 'bucket name');
  return `$KV.${bucket}.>`;
}

/** Every chunk and meta subject of object store `store`: `$O.<store>.>`. */
export function objectStoreSubjectPattern(store: string): string {
  assertToken(store, 'object store name');
  return `$O.${store}.>`;
}

/** Every NATS Services discovery subject: `$SRV.>` (nodes answer them). */
export function serviceApiPattern(): string {
  return `${SERVICE_API_PREFIX}.>`;
}

/** Every service endpoint's default subject: `hms.svc.>`. */
export function serviceEndpointPattern(): string {
  return `${SUBJECT_ROOT}.svc.>`;
}
