import { jsonPointer } from '@faultline/reports';

import { FormatError } from './format.model';

/**
 * Reading untrusted JSON with a JSON pointer at hand, so that every refusal names its place.
 * Narrowing is plain TypeScript: adapters read only the few fields they use and ignore the rest.
 * The first problem found refuses the document (one error per FormatError).
 */

export type JsonObject = { [key: string]: unknown };

/** Appends one reference token to a JSON pointer (RFC 6901 escaping). */
export const pointer = jsonPointer;

export function refuse(path: string, reason: string): never {
  throw new FormatError([{ path, reason }]);
}

/** The body as JSON. The parser's message is not echoed: it quotes the body, which may hold secrets. */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === '') refuse('', 'is empty');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return refuse('', 'is not valid JSON');
  }
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function objectAt(value: unknown, path: string): JsonObject {
  if (!isObject(value)) refuse(path, 'must be an object');
  return value;
}

/** null counts as absent: several serialisers write null for an omitted field. */
export function optionalObjectAt(value: unknown, path: string): JsonObject | undefined {
  return value === undefined || value === null ? undefined : objectAt(value, path);
}

export function stringAt(value: unknown, path: string): string {
  if (value === undefined || value === null) refuse(path, 'is required');
  if (typeof value !== 'string') refuse(path, 'must be a string');
  return value;
}

export function optionalStringAt(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, path);
}

export function arrayAt(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) refuse(path, 'is required');
  if (!Array.isArray(value)) refuse(path, 'must be an array');
  return value;
}

/** A map of strings (labels, annotations): every value must be a string. */
export function stringMapAt(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const object = objectAt(value, path);
  for (const [key, v] of Object.entries(object))
    if (typeof v !== 'string') refuse(pointer(path, key), 'must be a string');
  return object as Record<string, string>;
}

/** An own string property of a map that came from outside (never an inherited one such as `constructor`). */
export function ownString(
  map: Record<string, unknown> | undefined,
  key: string,
): string | undefined {
  if (typeof map !== 'object' || map === null || !Object.prototype.hasOwnProperty.call(map, key))
    return undefined;
  const value = map[key];
  return typeof value === 'string' ? value : undefined;
}
