import type { Json } from '../../streams/record.js';
import type { FileEntry } from '../../stores/backend.js';

/** A file taken by a poller and not yet done. */
export interface Claim {
  /** `<cluster>:<path>`. */
  readonly file: string;
  readonly cluster: string;
  readonly entry: FileEntry;
  /** The poller slot holding it (-1: taken by a listing to reject it unread). */
  readonly slot: number;
}

/** The id of a file across clusters: `<cluster>:<path>`. */
export function fileId(cluster: string, path: string): string {
  return `${cluster}:${path}`;
}

/** What a listing leaves to take: files neither done nor held, and how many may be free later. */
export interface Candidates {
  free: FileEntry[];
  /**
   * Files not done that cannot be taken now: another process holds them under a live lease (they
   * come back if it dies), or the shared claims are out of reach.
   */
  waiting: number;
}

/**
 * Who works on which file, and which files are finished: {@link ClaimTable} for one process
 * (SQLite), {@link SharedClaims} for several processes on several hosts (MariaDB, leases).
 * A file counts as done only for the size and mtime it was read at, so a replaced file is read again.
 */
export interface ClaimStore {
  /** The entries of one cluster's listing that are neither done nor claimed. */
  candidates(cluster: string, entries: readonly FileEntry[]): Promise<Candidates>;
  /** Takes the file for `slot`, unless someone holds it or it is done; `undefined` then. */
  claim(cluster: string, entry: FileEntry, slot: number): Promise<Claim | undefined>;
  /** Whether this process still holds the claim by its own reckoning (a shared claim is lost when its lease lapses). */
  holds(claim: Claim): boolean;
  /**
   * Whether the claim is still this process's by the store itself (for shared claims: the
   * database's clock, which extends the lease), asked right before a file is sent on.
   */
  confirm(claim: Claim): Promise<boolean>;
  /** Gives a claim up without finishing it: the file can be taken again. */
  release(claim: Claim): Promise<void>;
  /**
   * Marks claims done, durably, in one transaction: those still held, which it returns (a shared
   * store may still be waiting for its database to record them).
   */
  complete(claims: readonly Claim[]): Promise<readonly Claim[]>;
  /** Marks a held claim done with a reason: the file is skipped until it changes. */
  reject(claim: Claim, reason: string): Promise<void>;
  /** Claims in flight for one cluster in this process. */
  inFlightFor(cluster: string): number;
  /** Rejected files with their reasons, newest first (as last read, for status). */
  rejected(limit: number): { file: string; reason: string }[];
  /** Store-specific status: where the claims live, degraded state, leases lost. */
  view(): { [key: string]: Json };
  close(): Promise<void>;
}
