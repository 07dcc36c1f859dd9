import { ValidationError } from '../errors.js';
import type { ServiceRequest } from '../transport/service-endpoint-responder.js';
import { assertDottedName, isToken, serviceEndpointSubject } from '../transport/subjects.js';

export type { ServiceRequest } from '../transport/service-endpoint-responder.js';

/** The queue group of endpoints that name none (as in ADR-32). */
export const DEFAULT_SERVICE_QUEUE = 'q';

/** One endpoint of a service. */
export interface EndpointDefinition {
  /** `A-Z a-z 0-9 _ -`, unique in the service. */
  name: string;
  /** Dot-separated tokens; default `hms.svc.<service>.<endpoint>`. */
  subject?: string;
  /** Default {@link DEFAULT_SERVICE_QUEUE}: one instance of the service answers each request. */
  queueGroup?: string;
  metadata?: Record<string, string>;
  /**
   * Answers a request: the value returned (or resolved) is the reply, encoded like the request
   * (msgpack or JSON); a thrown error is an error reply, counted in the endpoint's stats.
   */
  handler(request: ServiceRequest): unknown;
}

/** A service: what `register()` takes. */
export interface ServiceDefinition {
  /** The kind of service, shared by its instances: `A-Z a-z 0-9 _ -`. */
  name: string;
  /** A semantic version, e.g. `1.2.0` (semver.org). */
  version: string;
  description?: string;
  /** Free-form strings about this instance; the registry adds `node`. */
  metadata?: Record<string, string>;
  endpoints: EndpointDefinition[];
}

/** An endpoint with its defaults filled in. */
export interface ResolvedEndpoint extends Required<Omit<EndpointDefinition, 'handler'>> {
  handler: EndpointDefinition['handler'];
}

/** A definition checked, with its defaults filled in. */
export interface ResolvedService {
  name: string;
  version: string;
  description: string;
  metadata: Record<string, string>;
  endpoints: ResolvedEndpoint[];
}

/** The semver.org regular expression, as ADR-32 asks. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function invalid(field: string, message: string): never {
  throw new ValidationError(`invalid service definition: ${field} ${message}`, { data: { field } });
}

function checkMetadata(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(field, 'must be an object of strings');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') invalid(`${field}.${k}`, 'must be a string');
  }
  return { ...(value as Record<string, string>) };
}

function checkName(value: unknown, field: string): string {
  if (!isToken(value)) invalid(field, `${JSON.stringify(value)} must be 1-128 characters of A-Z a-z 0-9 _ -`);
  return value;
}

/**
 * Checks a service definition and fills in its defaults.
 * @throws ValidationError naming the first bad field (`data.field`), e.g. `endpoints[1].name`.
 */
export function resolveServiceDefinition(def: ServiceDefinition): ResolvedService {
  if (def === null || typeof def !== 'object') invalid('definition', 'must be an object');
  const name = checkName(def.name, 'name');
  if (typeof def.version !== 'string' || !SEMVER.test(def.version)) {
    invalid('version', `${JSON.stringify(def.version)} must be a semantic version such as 1.0.0`);
  }
  if (def.description !== undefined && typeof def.description !== 'string') invalid('description', 'must be a string');
  if (!Array.isArray(def.endpoints) || def.endpoints.length === 0)
    invalid('endpoints', 'must list at least one endpoint');
  const seen = new Set<string>();
  const endpoints = def.endpoints.map((e, i): ResolvedEndpoint => {
    const at = `endpoints[${i}]`;
    if (e === null || typeof e !== 'object') invalid(at, 'must be an object');
    const endpoint = checkName(e.name, `${at}.name`);
    if (seen.has(endpoint)) invalid(`${at}.name`, `${JSON.stringify(endpoint)} is used twice`);
    seen.add(endpoint);
    if (typeof e.handler !== 'function') invalid(`${at}.handler`, 'must be a function');
    const subject = e.subject ?? serviceEndpointSubject(name, endpoint);
    try {
      assertDottedName(subject, 'subject');
    } catch {
      invalid(`${at}.subject`, `${JSON.stringify(subject)} must be dot-separated tokens of A-Z a-z 0-9 _ -`);
    }
    const queueGroup = e.queueGroup ?? DEFAULT_SERVICE_QUEUE;
    if (!isToken(queueGroup)) invalid(`${at}.queueGroup`, `${JSON.stringify(queueGroup)} must be one token`);
    return {
      name: endpoint,
      subject,
      queueGroup,
      metadata: checkMetadata(e.metadata, `${at}.metadata`),
      handler: e.handler,
    };
  });
  return {
    name,
    version: def.version,
    description: def.description ?? '',
    metadata: checkMetadata(def.metadata, 'metadata'),
    endpoints,
  };
}
