import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { tokenHash } from '../core/token-hash.js';
import { openSqlite } from './sqlite-insert.js';
import { definitionErrors, streamDefinition, type RegisteredStream, type StreamDefinition } from './stream-definition.js';

/** A registry change that cannot be made: the message names the stream and the field. */
export class StreamRegistryError extends Error {
  override name = 'StreamRegistryError';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  id TEXT PRIMARY KEY,
  topic TEXT NOT NULL,
  cluster TEXT NOT NULL,
  token_sha256 TEXT NOT NULL,
  state TEXT NOT NULL,
  quota_records_per_sec INTEGER,
  quota_bytes_per_sec INTEGER,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  format TEXT NOT NULL,
  field_schema TEXT,
  sinks TEXT NOT NULL,
  retention_hours INTEGER
);
CREATE TABLE IF NOT EXISTS streams_revision (one INTEGER PRIMARY KEY CHECK (one = 1), revision INTEGER NOT NULL);
INSERT OR IGNORE INTO streams_revision VALUES (1, 0);
`;

interface Row {
  id: string;
  topic: string;
  cluster: string;
  token_sha256: string;
  state: string;
  quota_records_per_sec: number | null;
  quota_bytes_per_sec: number | null;
  name: string;
  owner: string;
  format: string;
  field_schema: string | null;
  sinks: string;
  retention_hours: number | null;
}

function fromRow(r: Row): RegisteredStream {
  const parsed = streamDefinition.parse({
    id: r.id,
    topic: r.topic,
    cluster: r.cluster,
    state: r.state,
    quotaRecordsPerSec: r.quota_records_per_sec,
    quotaBytesPerSec: r.quota_bytes_per_sec,
    name: r.name,
    owner: r.owner,
    format: r.format,
    fieldSchema: r.field_schema === null ? null : JSON.parse(r.field_schema),
    sinks: JSON.parse(r.sinks),
    retentionHours: r.retention_hours,
  });
  return { ...parsed, topic: r.topic, tokenSha256: r.token_sha256 };
}

function toRow(s: StreamDefinition, tokenSha256: string): Row {
  return {
    id: s.id,
    topic: s.topic ?? s.id,
    cluster: s.cluster,
    token_sha256: tokenSha256,
    state: s.state,
    quota_records_per_sec: s.quotaRecordsPerSec,
    quota_bytes_per_sec: s.quotaBytesPerSec,
    name: s.name,
    owner: s.owner,
    format: s.format,
    field_schema: s.fieldSchema === null ? null : JSON.stringify(s.fieldSchema),
    sinks: JSON.stringify(s.sinks),
    retention_hours: s.retentionHours,
  };
}

function parseDefinition(input: unknown, what: string): StreamDefinition {
  const result = streamDefinition.safeParse(input);
  if (!result.success) throw new StreamRegistryError(`${what}:\n${definitionErrors(result.error)}`);
  return result.data;
}

const COLUMNS = ['id', 'topic', 'cluster', 'token_sha256', 'state', 'quota_records_per_sec', 'quota_bytes_per_sec', 'name', 'owner', 'format', 'field_schema', 'sinks', 'retention_hours'] as const;

/**
 * Which streams exist (stream id -> topic, cluster, token hash, state, quota and the dispatch
 * columns), in a SQLite file. Every change bumps one revision number in the same transaction,
 * so a reader polls one row to learn whether to reload.
 */
export class StreamRegistry {
  private constructor(private readonly db: BetterSqlite3.Database) {}

  /** Opens (and creates, with its directory) the registry file at `path`. */
  static open(path: string, busyTimeoutMs = 5000): StreamRegistry {
    mkdirSync(dirname(path), { recursive: true });
    const db = openSqlite(path, { busyTimeoutMs, synchronous: 'normal' }, false);
    db.exec(SCHEMA);
    return new StreamRegistry(db);
  }

  /** Adds a stream; returns it with its token (the given one, or a new random one shown only now). */
  add(input: unknown, token?: string): { stream: RegisteredStream; token: string } {
    const definition = parseDefinition(input, 'invalid stream');
    if (this.get(definition.id) !== undefined) throw new StreamRegistryError(`stream ${definition.id} already exists: use update`);
    if (token !== undefined && token.length < 16) throw new StreamRegistryError(`token: at least 16 characters (stream ${definition.id})`);
    const secret = token ?? randomBytes(24).toString('base64url');
    const row = toRow(definition, tokenHash(secret));
    this.write(() =>
      this.db.prepare(`INSERT INTO streams (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`).run(row),
    );
    return { stream: fromRow(row), token: secret };
  }

  /** Changes the given fields of stream `id` (validated as a whole). */
  update(id: string, patch: Record<string, unknown>): RegisteredStream {
    const current = this.require(id);
    if ('id' in patch && patch.id !== id) throw new StreamRegistryError(`id: a stream id cannot change (stream ${id})`);
    const { tokenSha256, ...fields } = current;
    const row = toRow(parseDefinition({ ...fields, ...patch, id }, `invalid update of stream ${id}`), tokenSha256);
    this.write(() => this.db.prepare(`UPDATE streams SET ${COLUMNS.slice(1).map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run(row));
    return fromRow(row);
  }

  /** Refuses stream `id` from now on (its row stays). */
  disable(id: string): RegisteredStream {
    return this.update(id, { state: 'disabled' });
  }

  /** Deletes stream `id`; false when there was none. */
  remove(id: string): boolean {
    return this.write(() => this.db.prepare('DELETE FROM streams WHERE id = ?').run(id).changes > 0);
  }

  get(id: string): RegisteredStream | undefined {
    const row = this.db.prepare('SELECT * FROM streams WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  list(): RegisteredStream[] {
    return (this.db.prepare('SELECT * FROM streams ORDER BY id').all() as Row[]).map(fromRow);
  }

  /** Increases with every change. */
  revision(): number {
    return (this.db.prepare('SELECT revision FROM streams_revision').get() as { revision: number }).revision;
  }

  close(): void {
    this.db.close();
  }

  private require(id: string): RegisteredStream {
    const stream = this.get(id);
    if (stream === undefined) throw new StreamRegistryError(`no stream ${id}: add it first (millrace streams add)`);
    return stream;
  }

  private write<T>(change: () => T): T {
    return this.db.transaction(() => {
      const out = change();
      this.db.prepare('UPDATE streams_revision SET revision = revision + 1').run();
      return out;
    })();
  }
}
