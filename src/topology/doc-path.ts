import type { DocPath } from './errors.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value at `path` inside plain data, or undefined when the path does not exist. */
export function valueAt(data: unknown, path: DocPath): unknown {
  let current = data;
  for (const part of path) {
    if (Array.isArray(current) && typeof part === 'number') current = current[part];
    else if (isRecord(current) && Object.hasOwn(current, part)) current = current[String(part)];
    else return undefined;
  }
  return current;
}

/** Replaces the value at an existing `path`; returns false when the path does not exist. */
export function setValueAt(data: unknown, path: DocPath, value: unknown): boolean {
  const last = path.at(-1);
  const parent = valueAt(data, path.slice(0, -1));
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
    parent[last] = value;
    return true;
  }
  if (isRecord(parent) && last !== undefined && Object.hasOwn(parent, last)) {
    parent[String(last)] = value;
    return true;
  }
  return false;
}

/** Zod issue paths may hold symbols; documents only have string keys and indexes. */
export function toDocPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}
