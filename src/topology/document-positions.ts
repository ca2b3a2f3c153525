import { isAlias, isMap, isScalar, isSeq, type Document, type Pair, type YAMLMap } from 'yaml';
import type { DocPath } from './errors.js';
import { unmaskFlowReferences } from './flow-references.js';

/** Offsets of a value (and of its key, inside a mapping) in the topology text. */
export interface Offsets {
  value: number;
  key?: number;
  /** Start and end of the value as written (for a value from an alias, of the anchored value). */
  range?: [number, number];
}

/** Finds where the value at a document path was written; undefined when it is not in the document. */
export type PositionFinder = (path: DocPath) => Offsets | undefined;

/** Mappings with more pairs than this get an index by key on their first lookup; smaller ones are scanned. */
const INDEX_FROM = 8;

function rangeOf(node: unknown): [number, number, number] | undefined {
  return (node as { range?: [number, number, number] } | null)?.range;
}

function start(node: unknown): number {
  return rangeOf(node)?.[0] ?? 0;
}

/**
 * Positions read from the parsed document when something asks for them, instead of a table of
 * every value built while converting (which cost a third of validating 100k actors). Follows the
 * same rules as the conversion to plain data: the first of repeated keys wins, aliases are
 * looked through (a value from an alias is placed at the alias), a missing value sits at its key.
 */
export function documentPositions(doc: Document, masked: boolean): PositionFinder {
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const nameOf = (pair: Pair): string | undefined => {
    const key = pair.key;
    if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) return undefined;
    return masked ? unmaskFlowReferences(String(key.value)) : String(key.value);
  };
  const pairOf = (map: YAMLMap, name: string): Pair | undefined => {
    if (map.items.length <= INDEX_FROM) return map.items.find((pair) => nameOf(pair) === name);
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items) {
        const key = nameOf(pair);
        if (key !== undefined && !index.has(key)) index.set(key, pair);
      }
      indexes.set(map, index);
    }
    return index.get(name);
  };
  const resolved = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  return (path) => {
    let node: unknown = doc.contents;
    if (node === null || node === undefined) return undefined;
    let at: Offsets = { value: start(node) };
    for (const step of path) {
      const parent = resolved(node);
      if (isMap(parent)) {
        const pair = pairOf(parent, String(step));
        if (pair === undefined) return undefined;
        const key = start(pair.key);
        node = pair.value;
        at = { value: node === null || node === undefined ? key : start(node), key };
      } else if (isSeq(parent)) {
        const index = typeof step === 'number' ? step : /^\d+$/.test(step) ? Number(step) : -1;
        node = parent.items[index];
        if (node === null || node === undefined) return undefined;
        at = { value: start(node) };
      } else {
        return undefined;
      }
    }
    const range = rangeOf(resolved(node));
    return range === undefined ? at : { ...at, range: [range[0], range[1]] };
  };
}
