/** Field `name` of a request body, or undefined when the body is no object. */
export function bodyField(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}
