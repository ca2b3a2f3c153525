import type { EngineConfig } from './config.js';
import type { SummaryTables } from './app-day-summary.js';
import type { EventRow } from './event-row.js';

/** A parameter of a read query: `?` placeholders work on both engines. */
export type SqlParam = string | number | null;

/**
 * The few things millrace asks of a database, with an embedded (SQLite) and a server
 * (MariaDB/MySQL) implementation. Connection problems surface as `NotConnected`.
 */
export interface Database {
  readonly engine: EngineConfig['type'];
  /** The rows' table, a plain identifier (safe to quote with backticks on both engines). */
  readonly table: string;
  /** Opens the connection (or pool); safe to call again after a lost connection. */
  connect(): Promise<void>;
  /**
   * Creates the table, keyed by (file, line), when missing, and the summary tables where the
   * engine keeps them. No secondary index: it doubled the insert cost (docs/decisions/log-pipeline.md).
   */
  ensureSchema(): Promise<void>;
  /**
   * Stores rows in one transaction, skipping every (file, line) already present; resolves after
   * the commit with the number of rows that were new.
   */
  insert(rows: readonly EventRow[]): Promise<number>;
  /**
   * The app/day summary tables when this database keeps them (see app-day-summary.ts); none
   * with `summary: false` or before a writer first built them: the report scans then.
   */
  summary(): Promise<SummaryTables | undefined>;
  /** Runs a read query; column values come back as strings, numbers or null. */
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Directory that relative SQLite paths resolve against (the topology file's). */
  baseDir: string;
  /** Reading only (reports): the SQLite file must already exist and is opened read-only. */
  readonly?: boolean;
}
