/** A file below a {@link WritableStore}'s root. */
export interface StoredFile {
  /** Path relative to the store's root, `/`-separated. */
  readonly path: string;
  readonly size: number;
}

/**
 * What a sink that writes files (the `hive` sink) needs from a store: whole-file writes that are
 * durable when they resolve, an atomic rename that is the moment a file becomes visible, and
 * listings to recover after a crash. Paths are relative to the store's root. Every method throws
 * `NotConnected` when the store cannot be reached.
 */
export interface WritableStore {
  /** Human-readable location for logs and errors. */
  readonly where: string;
  /** Writes `bytes` as `path` (replacing it; parent directories are created), durably. */
  put(path: string, bytes: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Renames `from` to `to` in one step; the parent of `to` exists (it holds `from`). */
  rename(from: string, to: string, signal: AbortSignal): Promise<void>;
  /** Deletes `path`; a missing one is not an error. */
  remove(path: string, signal: AbortSignal): Promise<void>;
  exists(path: string, signal: AbortSignal): Promise<boolean>;
  readFile(path: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Every file below `dir` (recursively; none when it does not exist). */
  listFiles(dir: string, signal: AbortSignal): Promise<StoredFile[]>;
}

