import { MessageVersionError, ValidationError } from '../errors.js';
import { PROTOCOL_VERSION } from './headers.js';
import { assertDottedName } from './subjects.js';

/**
 * Upgrades a message body by one schema version: given the body of `fromVersion`, returns it as
 * of `fromVersion + 1`.
 */
// biome-ignore lint/suspicious/noExplicitAny: each schema version of a body has its own shape
export type MessageUpcast = (body: any, fromVersion: number) => unknown;

/** One message type's schema: the version this build writes and reads, and how it reads older ones. */
export interface MessageSchema {
  /** A whole number from 1; what this build writes in `hms-v` for the type. */
  readonly version: number;
  /**
   * One upcast step (`fromVersion` → `fromVersion + 1`); a body of version k < `version` goes
   * through k, k+1, …, `version` − 1 before a handler sees it. Required when `version` > 1.
   */
  readonly upcast?: MessageUpcast;
}

/** Message schemas by message type (`hms-type`). A type not listed is version 1. */
export type MessageSchemas = Readonly<Record<string, MessageSchema>>;

/**
 * The schemas of HMS's own message types (control commands, heartbeats, election, lifecycle
 * events, replies and errors) whose body changed since protocol version 1. None has yet: every
 * built-in type is version {@link PROTOCOL_VERSION}. A built-in type that changes its body gets
 * an entry here with its upcast step, and nodes of the previous build keep being read.
 */
export const BUILTIN_MESSAGE_SCHEMAS: MessageSchemas = Object.freeze(Object.create(null));

/** The schema of `type`: the subscriber's own, then the built-in one; undefined means version 1. */
export function schemaOf(type: string, own?: MessageSchemas): MessageSchema | undefined {
  return own?.[type] ?? BUILTIN_MESSAGE_SCHEMAS[type];
}

/** The version this build writes for `type`: its schema's (own, then built-in), else 1. */
export function messageVersion(type: string, own?: MessageSchemas): number {
  return schemaOf(type, own)?.version ?? PROTOCOL_VERSION;
}

/**
 * Validates the message schemas a cell type declares: types are dotted names, versions whole
 * numbers from 1, and every version above 1 has its upcast step.
 * @throws ValidationError naming the cell type, the message type and the field.
 */
export function checkMessageSchemas(owner: string, input: unknown): MessageSchemas {
  if (input === undefined) return Object.freeze(Object.create(null));
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(`${owner}: messages must be an object of { version, upcast } by message type`, {
      data: { field: 'messages' },
    });
  }
  // No prototype: a message type called `constructor` or `toString` has no schema by accident.
  const out: Record<string, MessageSchema> = Object.create(null);
  for (const [type, raw] of Object.entries(input as Record<string, unknown>)) {
    assertDottedName(type, 'message type');
    const schema = raw as Partial<MessageSchema> | null;
    const version = schema?.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new ValidationError(
        `${owner}: message ${type}: version must be a whole number from 1, not ${String(version)}`,
        { data: { field: `messages.${type}.version` } },
      );
    }
    if (version > 1 && typeof schema?.upcast !== 'function') {
      throw new ValidationError(
        `${owner}: message ${type}: version ${version} needs upcast(body, fromVersion) for older senders`,
        { data: { field: `messages.${type}.upcast` } },
      );
    }
    out[type] = Object.freeze({ version, ...(schema?.upcast ? { upcast: schema.upcast } : {}) });
  }
  return Object.freeze(out);
}

/**
 * Reads a body of message version `received` as the version this build speaks for `type`,
 * one upcast step per version. The same version passes through untouched.
 * @throws MessageVersionError, with a one-line message naming the type and both versions, when
 *   the body is newer than this build reads (sent by a newer build), or when a step throws.
 */
export function upcastMessage(type: string, body: unknown, received: number, schema?: MessageSchema): unknown {
  const version = schema?.version ?? PROTOCOL_VERSION;
  if (received === version) return body;
  const data = { type, received, version };
  if (received > version) {
    throw new MessageVersionError(
      `message ${type} has version ${received}, newer than version ${version} this node reads; not handled (send version ${version}, or upgrade this node)`,
      { data },
    );
  }
  // A version above 1 always has its upcast (checkMessageSchemas); below it there is nothing to do.
  const upcast = schema?.upcast ?? ((b: unknown) => b);
  let current = body;
  for (let from = Math.max(1, received); from < version; from++) {
    try {
      current = upcast(current, from);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new MessageVersionError(
        `message ${type}: upcasting from version ${from} to ${from + 1} failed: ${why}; not handled`,
        { cause, data },
      );
    }
  }
  return current;
}

/**
 * The protocol versions a node speaks, for its heartbeat and `hms node list`: `hms/<n>` for every
 * built-in message type, then `<cellType>.<messageType>/<v>` for each message a cell type declares
 * above version 1.
 */
export function protocolVersions(cellTypes: Iterable<{ type: string; messages: MessageSchemas }>): string[] {
  const out = [`hms/${PROTOCOL_VERSION}`];
  for (const [type, schema] of Object.entries(BUILTIN_MESSAGE_SCHEMAS)) out.push(`${type}/${schema.version}`);
  for (const def of cellTypes) {
    for (const [type, schema] of Object.entries(def.messages)) {
      if (schema.version > 1) out.push(`${def.type}:${type}/${schema.version}`);
    }
  }
  return out;
}
