/**
 * The least-privilege roles of a swarm as NATS subject permissions. `hms security init` signs
 * them into each role's user JWT; the server enforces them. Every subject comes from the
 * builders in `transport/subjects.ts` and the names in `persistence/bucket-names.ts`.
 */
import { READ_ONLY_CONTROL_COMMANDS } from '../control/control-commands.js';
import { CONSOLE_EVENT } from '../node/console-view.js';
import { bucketNames, kvStreamName, objectStoreStreamName } from '../persistence/bucket-names.js';
import { ALERT_LOG, EVOLUTION_LOG, METRICS_LOG } from '../persistence/event-log.js';
import {
  createSubjects,
  inboxPattern,
  jetStreamAccountReads,
  kvSubjectPattern,
  objectStoreSubjectPattern,
  SERVICE_VERB,
  serviceApiPattern,
  serviceApiSubject,
  serviceEndpointPattern,
  streamApiSubjects,
} from '../transport/subjects.js';

/** The roles of a swarm. */
export const SECURITY_ROLE = {
  /** A node process: everything in its swarm, nothing in another. */
  node: 'node',
  /** A person or tool in charge: the control plane, cell calls, plugins, reading everything. */
  operator: 'operator',
  /** A watcher: subscribes and reads; sends only read-only questions. */
  observer: 'observer',
} as const;

/** One of {@link SECURITY_ROLE}. */
export type SecurityRole = (typeof SECURITY_ROLE)[keyof typeof SECURITY_ROLE];

/** The role names, in order of privilege. */
export const SECURITY_ROLES: readonly SecurityRole[] = [
  SECURITY_ROLE.node,
  SECURITY_ROLE.operator,
  SECURITY_ROLE.observer,
];

/** Allowed subjects (wildcards allowed) to publish to and to subscribe to. */
export interface RolePermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

/** Every stream of a swarm, by kind: KV buckets, object stores, event logs. */
function swarmStreams(swarm: string) {
  const names = bucketNames(swarm);
  const kv = [names.cells, names.snapshots, names.config, names.election, names.field, names.plugins];
  const logs = [ALERT_LOG, METRICS_LOG, EVOLUTION_LOG].map((spec) => names.log(spec.name));
  return {
    kv,
    objectStores: [names.pluginPacks],
    logs,
    all: [...kv.map(kvStreamName), objectStoreStreamName(names.pluginPacks), ...logs],
    plugins: { bucket: names.plugins, store: names.pluginPacks },
  };
}

/** Reading every stream: info, gets, and consumers for reads (KV watches, log tails). */
function readAll(swarm: string): string[] {
  return swarmStreams(swarm).all.flatMap((stream) => {
    const api = streamApiSubjects(stream);
    return [...api.read, ...api.consume];
  });
}

/**
 * What a long-running CLI session publishes to be a console of the swarm: its heartbeats
 * (`console.*`: one token, so not `console.<id>.alert`, where only nodes push alerts) and
 * `console.joined` / `console.left`. It receives its pushed alerts through its swarm subscription.
 */
function consolePresence(swarm: string): string[] {
  const subjects = createSubjects(swarm);
  return [
    subjects.consolePattern(),
    subjects.eventPattern(CONSOLE_EVENT.joined),
    subjects.eventPattern(CONSOLE_EVENT.left),
  ];
}

/** Service discovery questions (`hms service list`): `$SRV.PING|INFO|STATS[.>]`. */
function serviceDiscovery(): string[] {
  return Object.values(SERVICE_VERB).flatMap((verb) => [serviceApiSubject(verb), `${serviceApiSubject(verb)}.>`]);
}

function node(swarm: string): RolePermissions {
  const subjects = createSubjects(swarm);
  const streams = swarmStreams(swarm);
  const jetStream = streams.all.flatMap((stream) => streamApiSubjects(stream).manage);
  const data = [...streams.kv.map(kvSubjectPattern), ...streams.objectStores.map(objectStoreSubjectPattern)];
  return {
    pub: {
      allow: [
        subjects.all(),
        serviceEndpointPattern(),
        serviceApiPattern(),
        inboxPattern(),
        ...jetStreamAccountReads(),
        ...jetStream,
        ...data,
      ],
    },
    sub: { allow: [subjects.all(), serviceEndpointPattern(), serviceApiPattern(), inboxPattern()] },
  };
}

function operator(swarm: string): RolePermissions {
  const subjects = createSubjects(swarm);
  const { plugins } = swarmStreams(swarm);
  // `hms plugin add` writes the plugin KV and object store (and creates them on first use).
  const pluginWrites = [kvStreamName(plugins.bucket), objectStoreStreamName(plugins.store)].flatMap(
    (stream) => streamApiSubjects(stream).manage,
  );
  return {
    pub: {
      allow: [
        subjects.controlPattern(),
        subjects.cellInboxPattern(),
        subjects.servicePattern(),
        serviceEndpointPattern(),
        ...serviceDiscovery(),
        ...jetStreamAccountReads(),
        ...readAll(swarm),
        ...pluginWrites,
        kvSubjectPattern(plugins.bucket),
        objectStoreSubjectPattern(plugins.store),
        ...consolePresence(swarm),
      ],
    },
    sub: { allow: [subjects.all(), inboxPattern()] },
  };
}

function observer(swarm: string): RolePermissions {
  const subjects = createSubjects(swarm);
  return {
    pub: {
      allow: [
        ...READ_ONLY_CONTROL_COMMANDS.map((command) => subjects.control(command)),
        ...serviceDiscovery(),
        ...jetStreamAccountReads(),
        ...readAll(swarm),
        ...consolePresence(swarm),
      ],
    },
    sub: { allow: [subjects.all(), inboxPattern()] },
  };
}

/** The subject permissions of `role` in `swarm`. */
export function rolePermissions(role: SecurityRole, swarm: string): RolePermissions {
  switch (role) {
    case SECURITY_ROLE.node:
      return node(swarm);
    case SECURITY_ROLE.operator:
      return operator(swarm);
    case SECURITY_ROLE.observer:
      return observer(swarm);
  }
}
