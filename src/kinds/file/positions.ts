import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Json } from '../../streams/record.js';
import { EMPTY_FINGERPRINT } from './fingerprint.js';

const fingerprintSchema = z.object({ len: z.number().int().nonnegative(), hash: z.string() });
const entrySchema = z.object({
  path: z.string(),
  offset: z.number().int().nonnegative(),
  head: fingerprintSchema,
  mark: fingerprintSchema,
  /** The stream this incarnation of the file is read as (see streamOf); older books have none. */
  stream: z.string().optional(),
});
const checkpointSchema = z.object({ v: z.literal(1), files: z.record(z.string(), entrySchema) });

/**
 * What the position file remembers of one file identity: where it was last seen, the offset just
 * past its last acknowledged line, and fingerprints to recognise it (its first bytes, and the
 * bytes just before `offset`).
 */
export type FileEntry = z.infer<typeof entrySchema>;

/** A tail-mode batch's position: its sequence number; {@link PositionBook.commit} resolves it. */
export interface TailPosition {
  seq: number;
}

/** True when a saved checkpoint was written by the tail mode. */
export function isTailCheckpoint(saved: Json | undefined): boolean {
  return checkpointSchema.safeParse(saved).success;
}

/**
 * The tail mode's position file: file identity (`device:inode`) → {@link FileEntry}, holding only
 * acknowledged progress. Each emitted batch registers where it leaves its file; a commit of batch
 * `seq` (every batch up to it acknowledged) applies those offsets in order. The book lives in the
 * actor's checkpoint, which writes it atomically and durably.
 */
export class PositionBook {
  /** Acknowledged progress per identity. */
  readonly committed = new Map<string, FileEntry>();
  private pending: { seq: number; key: string; entry: FileEntry }[] = [];
  private nextSeq = 0;

  /** Loads a saved book; anything else (nothing saved, or the once mode's format) starts empty. */
  constructor(saved: Json | undefined) {
    const parsed = checkpointSchema.safeParse(saved);
    if (!parsed.success) return;
    for (const [key, entry] of Object.entries(parsed.data.files)) this.committed.set(key, entry);
  }

  /** Registers a batch that leaves file `key` at `entry`; returns the batch's position. */
  emitted(key: string, entry: FileEntry): TailPosition {
    const seq = this.nextSeq++;
    this.pending.push({ seq, key, entry: { ...entry, stream: this.streamOf(key) } });
    return { seq };
  }

  /**
   * The stream (in the sense of a batch origin) the file `key` is read as: its identity plus a
   * tag drawn when the book first met this incarnation of it, so that a file truncated, or a new
   * file that got a deleted one's inode, is a new stream whose offsets start again at 0.
   */
  streamOf(key: string): string {
    return this.committed.get(key)?.stream ?? key;
  }

  /** Batches registered and not yet committed. */
  get uncommitted(): number {
    return this.pending.length;
  }

  /** Applies every batch up to `position`; true when the book changed. */
  commit(position: TailPosition): boolean {
    let changed = false;
    while (this.pending.length > 0 && (this.pending[0] as { seq: number }).seq <= position.seq) {
      const { key, entry } = this.pending.shift() as { key: string; entry: FileEntry };
      this.committed.set(key, entry);
      changed = true;
    }
    return changed;
  }

  /**
   * File `key` was truncated: it starts again at 0. Its older progress belongs to `copy` when one
   * was found (the copy holds the same bytes at the same offsets), so batches still in flight commit
   * there, and a crash resumes the copy from the acknowledged offset; without a copy it is dropped.
   */
  truncated(key: string, path: string, copy?: { key: string; path: string }): void {
    const before = this.committed.get(key);
    if (copy !== undefined) {
      // The copy goes on as the stream the file was: same bytes at the same offsets.
      const stream = this.streamOf(key);
      this.committed.set(copy.key, { path: copy.path, offset: before?.offset ?? 0, head: before?.head ?? EMPTY_FINGERPRINT, mark: before?.mark ?? EMPTY_FINGERPRINT, stream });
      for (const p of this.pending) if (p.key === key) Object.assign(p, { key: copy.key, entry: { ...p.entry, path: copy.path } });
    } else {
      this.pending = this.pending.filter((p) => p.key !== key);
    }
    this.committed.set(key, { path, offset: 0, head: EMPTY_FINGERPRINT, mark: EMPTY_FINGERPRINT, stream: newStream(key) });
  }

  /**
   * Records a file as soon as it is followed, at its start offset (nothing of it acknowledged yet),
   * so that a restart knows it even if it is renamed away before any of its lines is acknowledged.
   * Returns false when the identity is known already.
   */
  register(key: string, entry: FileEntry): boolean {
    if (this.committed.has(key)) return false;
    this.committed.set(key, { ...entry, stream: newStream(key) });
    return true;
  }

  /** Drops an identity whose file is gone or fully acknowledged and no longer followed. */
  forget(key: string): void {
    this.committed.delete(key);
  }

  /** The book as saved in the checkpoint. */
  toJson(): Json {
    const files: { [key: string]: Json } = {};
    for (const [key, e] of this.committed) {
      files[key] = { path: e.path, offset: e.offset, head: { ...e.head }, mark: { ...e.mark } };
      if (e.stream !== undefined) files[key].stream = e.stream;
    }
    return { v: 1, files };
  }
}

/** A stream name for a new incarnation of file `key`. */
function newStream(key: string): string {
  return `${key}~${randomBytes(6).toString('hex')}`;
}
