import type { DocPath } from './errors.js';

/** A 1-based line and column in the topology file. */
export interface Position {
  line: number;
  column: number;
}

/** Where one document value came from (offsets into the text: positions are resolved on demand). */
export interface SourceEntry {
  /** Offset of the start of the value. */
  value: number;
  /** Offset of the start of its mapping key, for values inside a mapping. */
  key?: number;
  /** The scalar as written, when environment variables were substituted into it. */
  written?: string;
  /** Set when substitution failed: the value is the raw text and should not be judged. */
  broken?: boolean;
}

/**
 * A path as a map key. Steps are joined with NUL, which cannot occur in a YAML plain or quoted key
 * without an escape; a number and its string (`[0]` and `['0']`) share a key, which is harmless
 * as one parent is either a mapping or a sequence. Cheaper than JSON.stringify by half on
 * 100k-actor files.
 */
function keyOf(path: DocPath): string {
  return path.join('\u0000');
}

/**
 * Positions of every value in a parsed document, by document path. Offsets are stored and turned
 * into line and column only for the values something points at (most never are).
 */
export class SourceMap {
  private readonly entries = new Map<string, SourceEntry>();
  /** Entries marked broken: with none (the usual case) {@link isBroken} needs no lookups. */
  private broken = 0;

  /** `position` turns an offset into the text into a line and column. */
  constructor(private readonly position: (offset: number) => Position = () => ({ line: 1, column: 1 })) {}

  /** Records where the value at `path` starts. */
  set(path: DocPath, entry: SourceEntry): void {
    const key = keyOf(path);
    if (this.entries.get(key)?.broken) this.broken--;
    if (entry.broken) this.broken++;
    this.entries.set(key, entry);
  }

  /** The entry recorded for exactly `path`. */
  get(path: DocPath): SourceEntry | undefined {
    return this.entries.get(keyOf(path));
  }

  /**
   * Where to point for a problem with the value at `path`: its start if it exists, else
   * (for a missing key) the key of the nearest enclosing value that exists.
   */
  locate(path: DocPath): Position {
    const exact = this.get(path);
    if (exact) return this.position(exact.value);
    return this.keyOf(path.slice(0, -1));
  }

  /** The key of the value at `path` (or of the nearest ancestor that has one). */
  keyOf(path: DocPath): Position {
    for (let n = path.length; n >= 0; n--) {
      const entry = this.get(path.slice(0, n));
      if (entry) return this.position(entry.key ?? entry.value);
    }
    return { line: 1, column: 1 };
  }

  /** Whether `path` or one of its ancestors failed substitution. */
  isBroken(path: DocPath): boolean {
    if (this.broken === 0) return false;
    for (let n = path.length; n > 0; n--) if (this.get(path.slice(0, n))?.broken) return true;
    return false;
  }
}
