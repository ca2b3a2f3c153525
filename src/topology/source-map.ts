import type { Offsets, PositionFinder } from './document-positions.js';
import type { DocPath } from './errors.js';

/** A 1-based line and column in the topology file. */
export interface Position {
  line: number;
  column: number;
}

/** Where one document value came from (offsets into the text: positions are resolved on demand). */
export interface SourceEntry extends Offsets {
  /** The scalar as written, when environment variables were substituted into it. */
  written?: string;
  /** Set when substitution failed: the value is the raw text and should not be judged. */
  broken?: boolean;
}

/** What substituting environment variables into a scalar did: changed it, or failed. */
type Substitution = 'substituted' | 'broken';

/**
 * A path as a map key. Steps are joined with NUL, which cannot occur in a YAML plain or quoted key
 * without an escape; a number and its string (`[0]` and `['0']`) share a key, which is harmless
 * as one parent is either a mapping or a sequence.
 */
function keyOf(path: DocPath): string {
  return path.join('\u0000');
}

/**
 * Positions of the values of a parsed document, by document path, found in the document when
 * asked (most never are), and the substitutions made into its scalars.
 */
export class SourceMap {
  /** Only the scalars that had `${...}` in them: few, so kept by path. */
  private readonly substitutions = new Map<string, Substitution>();
  /** Entries marked broken: with none (the usual case) {@link isBroken} needs no lookups. */
  private broken = 0;

  /**
   * `text` is the topology as written; `find` gives the offsets of the value at a path;
   * `position` turns an offset into the text into a line and column.
   */
  constructor(
    private readonly text = '',
    private readonly find: PositionFinder = () => undefined,
    private readonly position: (offset: number) => Position = () => ({ line: 1, column: 1 }),
  ) {}

  /** Records what substituting environment variables into the scalar at `path` did. */
  substituted(path: DocPath, what: Substitution): void {
    if (what === 'broken') this.broken++;
    this.substitutions.set(keyOf(path), what);
  }

  /** Whether the scalar at `path` had environment variables substituted into it (no position is looked up). */
  wasSubstituted(path: DocPath): boolean {
    return this.substitutions.get(keyOf(path)) === 'substituted';
  }

  /** The entry for exactly `path`. */
  get(path: DocPath): SourceEntry | undefined {
    const at = this.find(path);
    if (at === undefined || this.substitutions.size === 0) return at;
    const what = this.substitutions.get(keyOf(path));
    if (what === 'broken') return { ...at, broken: true };
    return what === 'substituted' && at.range ? { ...at, written: this.text.slice(...at.range) } : at;
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
    for (let n = path.length; n > 0; n--) if (this.substitutions.get(keyOf(path.slice(0, n))) === 'broken') return true;
    return false;
  }
}
