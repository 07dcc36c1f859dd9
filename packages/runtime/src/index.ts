export type { CellContext } from './cell/cell-context.js';
export { CellRegistry } from './cell/cell-registry.js';
export { CELL_STATUS, type CellHealth, type CellStatus } from './cell/cell-status.js';
export {
  type AnyCellDefinition,
  type CellDefinition,
  type CellDefinitionInput,
  defineCell,
  MIGRANTS_EVENT,
  type TopicSpec,
} from './cell/define-cell.js';
export { HOST_MESSAGE, type RunningCell, type StartCellOptions, startCell } from './cell/running-cell.js';
export { createSnapshotSaver, type SnapshotSaver, type SnapshotSaverOptions } from './cell/snapshot-saver.js';
export type { CellEvent } from './cell/to-event.js';
export { type Clock, systemClock } from './clock.js';
export {
  CONFIG_SCHEMA,
  type ConfigKey,
  completeConfig,
  defaultConfig,
  type SettingSpec,
  type SwarmConfig,
  validateChanges,
} from './config/config-schema.js';
export { SwarmConfigStore, type VersionedConfig } from './config/swarm-config-store.js';
export { type ControlClient, type ControlClientOptions, createControlClient } from './control/control-client.js';
export {
  type AgentInfo,
  CONTROL_COMMAND,
  type ControlCommand,
  type CreateAgentRequest,
  type MetricsQuery,
  type NodeInfo,
  RECOVERY_MANAGER_TYPE,
  type SystemStatus,
} from './control/control-commands.js';
export {
  ADAPTIVE_CONFIG_TYPE,
  EVOLUTION_EVENT,
  type EvolutionStatus,
  type EvolveStarted,
  type EvolveStartRequest,
  GA_ISLAND_TYPE,
  type IslandStatus,
} from './control/evolution-commands.js';
export {
  createElectionState,
  DEFAULT_TIMING,
  type DurableElectionState,
  type ElectionInput,
  type ElectionOptions,
  type ElectionState,
  type ElectionTiming,
  ROLE,
  type Role,
  type StepResult,
  step as electionStep,
} from './election/election-core.js';
export type { ElectionMessage, Outgoing } from './election/election-messages.js';
export {
  AlreadyExistsError,
  CellFailedError,
  CircuitOpenError,
  CodecError,
  ConnectionError,
  DependencyAvoidedError,
  errorFromWire,
  errorToWire,
  HmsError,
  type HmsErrorOptions,
  InvalidNameError,
  NativeError,
  NoRespondersError,
  NotFoundError,
  RequestTimeoutError,
  ValidationError,
  type WireError,
} from './errors.js';
export {
  freePort,
  hasNatsServer,
  isListening,
  type LocalNatsServer,
  type NatsServerOptions,
  startNatsServer,
} from './local-nats-server.js';
export { type CreateLoggerOptions, createLogger, createSilentLogger, type Logger } from './logger.js';
export { createPhiDetector, type PhiDetector, type PhiDetectorOptions } from './native.js';
export {
  createPopulation,
  describeObjective,
  type EvaluateBatch,
  evaluateObjective,
  type GaParameters,
  type Individuals,
  type InstanceOptions,
  type LocalSearchOptions,
  type ObjectiveDescription,
  type ObjectiveName,
  Population,
  type PopulationOptions,
  type PopulationState,
  type PopulationStats,
  restorePopulation,
} from './native-population.js';
export { natsServerBinary, PROJECT_NATS_SERVER } from './nats-server-binary.js';
export { LIFECYCLE_EVENT } from './node/lifecycle-events.js';
export type { NodeHeartbeat } from './node/node-heartbeat.js';
export { createNode, type NodeHost, type NodeOptions } from './node/node-host.js';
export { PEER_STATUS, type Peer, type PeerStatus, PeerView } from './node/peer-view.js';
export { bucketNames } from './persistence/bucket-names.js';
export { type CellSpec, type DesiredCellChange, DesiredCells } from './persistence/desired-cells.js';
export {
  ALERT_LOG,
  type Alert,
  EVOLUTION_LOG,
  EventLog,
  type EventLogSpec,
  type LoggedEvent,
  METRICS_LOG,
} from './persistence/event-log.js';
export { SnapshotStore, type StoredSnapshot } from './persistence/snapshot-store.js';
export {
  CALL_OUTCOME,
  type CallOutcome,
  CallTrace,
  type CallTraceBatch,
  callOutcome,
} from './resilience/call-trace.js';
export {
  type BreakerEvent,
  type BreakerSettings,
  createBreakerMachine,
  DEFAULT_BREAKER,
} from './resilience/circuit-breaker.machine.js';
export {
  createDependencyGuard,
  type DependencyGuard,
  type GuardEnvironment,
  type GuardSettings,
  isDependencyFailure,
  UNHEALTHY_TOPIC,
} from './resilience/dependency-guard.js';
export { decayed, Field } from './stigmergy/field.js';
export { FieldView } from './stigmergy/field-view.js';
export {
  type CellSupervisor,
  type CellSupervisorOptions,
  createCellSupervisor,
} from './supervision/cell-supervisor.js';
export {
  DEFAULT_RESTART_INTENSITY,
  type RestartDecision,
  type RestartIntensity,
  RestartTracker,
} from './supervision/restart-intensity.js';
export { CONTENT_TYPE, type Codec, type CodecName, codecForContentType, getCodec } from './transport/codec.js';
export { ERROR_TYPE, HEADER, PROTOCOL_VERSION, REPLY_TYPE } from './transport/headers.js';
export type { IncomingMessage, RequestOptions, SendOptions } from './transport/message.js';
export { decodeBody, type MessageView, toJsonSafe, viewMessage } from './transport/message-view.js';
export {
  assertDottedName,
  assertToken,
  CONTROL_QUEUE,
  createSubjects,
  isToken,
  SUBJECT_ROOT,
  type Subjects,
} from './transport/subjects.js';
export {
  connectTransport,
  type MessageHandler,
  type SubscribeOptions,
  type TlsOptions,
  Transport,
  type TransportOptions,
  type TransportStats,
  type TransportSubscription,
} from './transport/transport.js';
