/**
 * `@hms/runtime/client`: the part of the runtime a short-lived client (the `hms` CLI) needs to
 * talk to a swarm — connect, the control plane, subjects, codecs, errors — without loading
 * cells' hosting, pino, the native addon, ajv or prom-client. Everything here is also exported
 * by `@hms/runtime` (the same modules, so `instanceof` agrees across the two entry points).
 */
export type { CellInspection, StateTreeNode } from './cell/cell-inspection.js';
export type { CellHealth } from './cell/cell-status.js';
export { HOST_MESSAGE } from './cell/host-message.js';
export { CONFIG_SCHEMA, DEFAULT_VALUE, validateChanges } from './config/config-schema.js';
export { isScopedKey, parseScopedKey } from './config/scoped-key.js';
export { type ControlClient, createControlClient } from './control/control-client.js';
export type { CreateAgentRequest } from './control/control-commands.js';
export type { EvolutionStatus, IslandStatus } from './control/evolution-commands.js';
export { placementPolicyOf } from './coordination/placement-policy.js';
export {
  ConnectionError,
  HmsError,
  NoRespondersError,
  NotFoundError,
  OverloadedError,
  ValidationError,
} from './errors.js';
export type { Logger } from './logger.js';
export { fetchNodeCells } from './node/node-commands.js';
export type { NodeHeartbeat } from './node/node-heartbeat.js';
export { CommandRegistry } from './plugins/command-registry.js';
export { CALL_OUTCOME, type CallTraceBatch } from './resilience/call-trace.js';
export { credsRole } from './security/creds-role.js';
export { backoffShapeOf } from './supervision/backoff-shape.js';
export { supervisionStrategyOf } from './supervision/supervision-strategy.js';
export type { CodecName } from './transport/codec.js';
export { decodeBody, toJsonSafe } from './transport/message-view.js';
export { assertToken, createSubjects, isToken } from './transport/subjects.js';
export { connectTransport, type Transport } from './transport/transport.js';
export { findPermissionDenied, permissionDenied } from './transport/transport-errors.js';
