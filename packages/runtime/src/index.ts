export type { CellContext } from './cell/cell-context.js';
export type { CellEventRecord, CellInspection, StateTreeNode } from './cell/cell-inspection.js';
export { CellRegistry } from './cell/cell-registry.js';
export { CELL_STATUS, type CellHealth, type CellPulse, type CellStatus } from './cell/cell-status.js';
export {
  type AnyCellDefinition,
  type CellDefinition,
  type CellDefinitionInput,
  type CellMigration,
  defineCell,
  MIGRANTS_EVENT,
  type PersistedCellSnapshot,
  type TopicSpec,
} from './cell/define-cell.js';
export { HOST_MESSAGE, type RunningCell, type StartCellOptions, startCell } from './cell/running-cell.js';
export { createSnapshotSaver, type SnapshotSaver, type SnapshotSaverOptions } from './cell/snapshot-saver.js';
export { type MigratedSnapshot, migrateSnapshot } from './cell/state-migration.js';
export type { CellEvent } from './cell/to-event.js';
export { type Clock, systemClock } from './clock.js';
export {
  CONFIG_SCHEMA,
  type ConfigChanges,
  type ConfigKey,
  completeConfig,
  DEFAULT_VALUE,
  defaultConfig,
  type SettingSpec,
  type SwarmConfig,
  validateChanges,
} from './config/config-schema.js';
export {
  CALL_SETTINGS,
  type CallSettingKey,
  formatScope,
  isScopedKey,
  parseScopedKey,
  SCOPE_KIND,
  type ScopedKey,
  type ScopeKind,
  type SettingScope,
  scopedKey,
  TYPE_SETTINGS,
  type TypeSettingKey,
} from './config/scoped-key.js';
export { callSetting, type LiveConfig, type ScopedSettings, typeSetting } from './config/scoped-settings.js';
export { SwarmConfigStore, type VersionedConfig } from './config/swarm-config-store.js';
export { type ControlClient, type ControlClientOptions, createControlClient } from './control/control-client.js';
export {
  AGENT_PAGE,
  type AgentInfo,
  type AgentListPage,
  CONTROL_COMMAND,
  type ControlCommand,
  type CreateAgentRequest,
  type DrainReply,
  type DrainState,
  type MetricsQuery,
  type NodeInfo,
  READ_ONLY_CONTROL_COMMANDS,
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
export { DRAIN_EVENT, type DrainRecord, type DrainRecords, NodeDrains } from './coordination/node-drains.js';
export {
  type CallPeers,
  chooseNode,
  PLACEMENT_POLICIES,
  type PlacementPolicy,
  placementPolicyOf,
} from './coordination/placement-policy.js';
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
export { LEADER_SILENT_MS, LeaderWatch, type SeenLeader, watchLeader } from './election/leader-watch.js';
export {
  AlreadyExistsError,
  BusyError,
  CellFailedError,
  CellFencedError,
  CircuitOpenError,
  CodecError,
  ConnectionError,
  DependencyAvoidedError,
  errorFromWire,
  errorToWire,
  HmsError,
  type HmsErrorOptions,
  InvalidNameError,
  MessageVersionError,
  NativeError,
  NoLeaderError,
  NoRespondersError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  RequestTimeoutError,
  SnapshotNotSavedError,
  SnapshotTooLargeError,
  SnapshotVersionError,
  UnhandledEventError,
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
  type AnomalyDetector,
  type AnomalyDetectorOptions,
  type AnomalyFinding,
  createAnomalyDetector,
} from './native-anomaly.js';
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
export { type PushAlertsOptions, pushAlertsToConsoles } from './node/console-alerts.js';
export {
  CONSOLE_ALERT,
  CONSOLE_EVENT,
  CONSOLE_HEARTBEAT,
  CONSOLE_MISSED_BEATS,
  type ConsoleHeartbeat,
  type ConsoleInfo,
  ConsoleView,
  watchConsoles,
} from './node/console-view.js';
export { HEARTBEAT_MAX_CELLS, type HeartbeatCellSummary, HeartbeatCells } from './node/heartbeat-cells.js';
export { heartbeatProblem } from './node/heartbeat-shape.js';
export { LIFECYCLE_EVENT } from './node/lifecycle-events.js';
export { fetchNodeCells, NODE_COMMAND, type NodeCellsPage } from './node/node-commands.js';
export type { BusyCell, CellTotals, NodeHeartbeat, OverloadStatus } from './node/node-heartbeat.js';
export { createNode, type NodeHost, type NodeOptions } from './node/node-host.js';
export { PEER_STATUS, type Peer, type PeerStatus, PeerView } from './node/peer-view.js';
export { bucketNames, kvStreamName, objectStoreStreamName } from './persistence/bucket-names.js';
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
export { CommandRegistry, type MountedCommand } from './plugins/command-registry.js';
export { builtinPlugin, definePlugin, type PluginInput } from './plugins/define-plugin.js';
export {
  type HMSContext,
  PLUGIN_HOST_KIND,
  type PluginField,
  type PluginHostKind,
  type PluginServiceRegistry,
} from './plugins/hms-context.js';
export type { AnyHMSPlugin, HMSPlugin, PluginEvent, PluginEventHandler } from './plugins/hms-plugin.js';
export { HMS_VERSION, isCompatibleHms } from './plugins/hms-version.js';
export { type NodePluginOptions, type NodePlugins, startNodePlugins } from './plugins/node-plugins.js';
export { hostPeerModules, PEER_PACKAGES } from './plugins/peer-modules.js';
export { validatePluginConfig } from './plugins/plugin-config.js';
export { PLUGIN_FAILURE, PluginError, type PluginFailure } from './plugins/plugin-error.js';
export { createPluginEventBus, type PluginEventBus, type PluginEventBusOptions } from './plugins/plugin-event-bus.js';
export {
  type AddPluginOptions,
  createPluginHost,
  type PluginHost,
  type PluginHostOptions,
} from './plugins/plugin-host.js';
export {
  type LoadedPlugin,
  type LoadPluginOptions,
  loadPlugin,
  resolvePluginDir,
} from './plugins/plugin-loader.js';
export { MANIFEST_FILE, type PluginManifest, readManifest, validateManifest } from './plugins/plugin-manifest.js';
export { type PluginPack, packDigest, packPluginDir, unpackPlugin } from './plugins/plugin-pack.js';
export { createPluginServices } from './plugins/plugin-services.js';
export { PLUGIN_STATE, type PluginFaults, type PluginState, type PluginStatus } from './plugins/plugin-status.js';
export { type PluginChange, type PluginRecord, PluginStore } from './plugins/plugin-store.js';
export { type SwarmPlugins, type SwarmPluginsOptions, startSwarmPlugins } from './plugins/swarm-plugins.js';
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
export { credsRole, roleTag } from './security/creds-role.js';
export {
  type RolePermissions,
  rolePermissions,
  SECURITY_ROLE,
  SECURITY_ROLES,
  type SecurityRole,
} from './security/role-permissions.js';
export {
  CONTROL_SERVICE_NAME,
  CONTROL_SERVICE_VERSION,
  type ControlService,
  controlEndpointName,
  startControlService,
} from './services/control-service.js';
export { createEndpointStats, type EndpointStats } from './services/endpoint-stats.js';
export type { RegisteredService } from './services/registered-service.js';
export {
  createServiceClient,
  type ServiceChange,
  type ServiceClient,
  type ServiceClientOptions,
  type ServiceRequestOptions,
  type WatchOptions,
} from './services/service-client.js';
export {
  DEFAULT_SERVICE_QUEUE,
  type EndpointDefinition,
  resolveServiceDefinition,
  type ServiceDefinition,
  type ServiceRequest,
} from './services/service-definition.js';
export {
  DEFAULT_DISCOVERY_TIMEOUT_MS,
  type DiscoverOptions,
  discoverServices,
  gatherServices,
  pingServices,
  serviceStats,
} from './services/service-discovery.js';
export {
  type EndpointInfo,
  type EndpointStatsResponse,
  type PingResponse,
  SERVICE_RESPONSE_TYPE,
  type ServiceIdentity,
  type ServiceInfo,
  type ServiceStats,
} from './services/service-protocol.js';
export {
  createServiceRegistry,
  type ServiceRegistry,
  type ServiceRegistryOptions,
} from './services/service-registry.js';
export { decayed, Field } from './stigmergy/field.js';
export { FieldView } from './stigmergy/field-view.js';
export { BACKOFF_SHAPES, type BackoffShape, backoffDelay, backoffShapeOf } from './supervision/backoff-shape.js';
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
export {
  SUPERVISION_STRATEGIES,
  type SupervisionStrategy,
  supervisionStrategyOf,
} from './supervision/supervision-strategy.js';
export { CONTENT_TYPE, type Codec, type CodecName, codecForContentType, getCodec } from './transport/codec.js';
export { ERROR_TYPE, HEADER, PROTOCOL_VERSION, REPLY_TYPE, SERVICE_ERROR_HEADER } from './transport/headers.js';
export type { IncomingMessage, RequestOptions, SendOptions } from './transport/message.js';
export {
  BUILTIN_MESSAGE_SCHEMAS,
  checkMessageSchemas,
  type MessageSchema,
  type MessageSchemas,
  type MessageUpcast,
  messageVersion,
  protocolVersions,
  upcastMessage,
} from './transport/message-versions.js';
export { decodeBody, type MessageView, toJsonSafe, viewMessage } from './transport/message-view.js';
export {
  assertDottedName,
  assertToken,
  CONTROL_QUEUE,
  createSubjects,
  INBOX_PREFIX,
  inboxPattern,
  isToken,
  JETSTREAM_API_PREFIX,
  jetStreamAccountReads,
  kvSubjectPattern,
  objectStoreSubjectPattern,
  SERVICE_API_PREFIX,
  SERVICE_VERB,
  type ServiceVerb,
  type StreamApiSubjects,
  SUBJECT_ROOT,
  type Subjects,
  serviceApiPattern,
  serviceApiSubject,
  serviceEndpointPattern,
  serviceEndpointSubject,
  streamApiSubjects,
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
export { findPermissionDenied, permissionDenied } from './transport/transport-errors.js';
