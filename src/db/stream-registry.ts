import { randomBytes } from 'node:crypto';
import { tokenHash } from '../core/token-hash.js';
import type { SqlParam } from './database.js';
import { openRegistrySql, type RegistryLocation, type RegistrySql } from './registry-sql.js';
import { definitionErrors, fieldErrors, streamDefinition, type FieldError, type RegisteredStream, type StreamDefinition } from './stream-definition.js';

/** A registry change that cannot be made: the message names the stream and the field. */
export class StreamRegistryError extends Error {
  override name = 'StreamRegistryError';

  constructor(
    message: string,
    /** The invalid fields, when the change failed validation. */
    readonly fields: readonly FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

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
  module: string | null;
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
    module: r.module === null ? null : JSON.parse(r.module),
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
    module: s.module === null ? null : JSON.stringify(s.module),
  };
}

function parseDefinition(input: unknown, what: string): StreamDefinition {
  const result = streamDefinition.safeParse(input);
  if (!result.success) throw new StreamRegistryError(`${what}:\n${definitionErrors(result.error)}`, fieldErrors(result.error));
  return result.data;
}

const COLUMNS = ['id', 'topic', 'cluster', 'token_sha256', 'state', 'quota_records_per_sec', 'quota_bytes_per_sec', 'name', 'owner', 'format', 'field_schema', 'sinks', 'retention_hours', 'module'] as const;

const values = (row: Row): SqlParam[] => COLUMNS.map((c) => row[c]);

export type { RegistryLocation };

/** A location given as one string: a mysql:// or mariadb:// URL, else a SQLite file path. */
export function registryLocation(text: string): RegistryLocation {
  return /^(mysql|mariadb):\/\//.test(text) ? { url: text.replace(/^mariadb:/, 'mysql:') } : { path: text };
}

/**
 * Which streams exist (stream id -> topic, cluster, token hash, state, quota and the dispatch
 * columns), in SQLite or MariaDB/MySQL. Every change bumps one revision number in the same
 * transaction, so a reader polls one row to learn whether to reload.
 */
export class StreamRegistry {
  private constructor(private readonly sql: RegistrySql) {}

  /** Opens the registry, creating its tables (and a SQLite file's directory) when missing. */
  static async open(location: RegistryLocation, timeoutMs = 5000): Promise<StreamRegistry> {
    return new StreamRegistry(await openRegistrySql(location, timeoutMs));
  }

  /** Adds a stream; returns it with its token (the given one, or a new random one shown only now). */
  async add(input: unknown, token?: string): Promise<{ stream: RegisteredStream; token: string }> {
    const definition = parseDefinition(input, 'invalid stream');
    if (token !== undefined && token.length < 16) throw new StreamRegistryError(`token: at least 16 characters (stream ${definition.id})`, [{ field: 'token', message: 'at least 16 characters' }]);
    const secret = token ?? randomBytes(24).toString('base64url');
    const row = toRow(definition, tokenHash(secret));
    await this.change(async (tx) => {
      if ((await tx.all('SELECT id FROM streams WHERE id = ?', [definition.id])).length > 0)
        throw new StreamRegistryError(`stream ${definition.id} already exists: use update`);
      await tx.run(`INSERT INTO streams (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, values(row));
    });
    return { stream: fromRow(row), token: secret };
  }

  /** Changes the given fields of stream `id` (validated as a whole). */
  async update(id: string, patch: Record<string, unknown>): Promise<RegisteredStream> {
    if ('id' in patch && patch.id !== id) throw new StreamRegistryError(`id: a stream id cannot change (stream ${id})`, [{ field: 'id', message: 'a stream id cannot change' }]);
    return this.change(async (tx) => {
      const current = await StreamRegistry.find(tx, id);
      if (current === undefined) throw new StreamRegistryError(`no stream ${id}: add it first (millrace streams add)`);
      const { tokenSha256, ...fields } = current;
      const row = toRow(parseDefinition({ ...fields, ...patch, id }, `invalid update of stream ${id}`), tokenSha256);
      const [first, ...rest] = values(row);
      await tx.run(`UPDATE streams SET ${COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...rest, first ?? id]);
      return fromRow(row);
    });
  }

  /** Refuses stream `id` from now on (its row stays). */
  disable(id: string): Promise<RegisteredStream> {
    return this.update(id, { state: 'disabled' });
  }

  /** Deletes stream `id`; false when there was none. */
  remove(id: string): Promise<boolean> {
    return this.change(async (tx) => (await tx.run('DELETE FROM streams WHERE id = ?', [id])) > 0);
  }

  get(id: string): Promise<RegisteredStream | undefined> {
    return StreamRegistry.find(this.sql, id);
  }

  async list(): Promise<RegisteredStream[]> {
    return (await this.sql.all<Row>('SELECT * FROM streams ORDER BY id')).map(fromRow);
  }

  /** Increases with every change. */
  async revision(): Promise<number> {
    const [row] = await this.sql.all<{ revision: number | string }>('SELECT revision FROM streams_revision');
    return Number(row?.revision ?? 0);
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  private static async find(sql: RegistrySql, id: string): Promise<RegisteredStream | undefined> {
    const [row] = await sql.all<Row>('SELECT * FROM streams WHERE id = ?', [id]);
    return row === undefined ? undefined : fromRow(row);
  }

  private change<T>(work: (tx: RegistrySql) => Promise<T>): Promise<T> {
    return this.sql.transaction(async (tx) => {
      const out = await work(tx);
      await tx.run('UPDATE streams_revision SET revision = revision + 1');
      return out;
    });
  }
}
