import mysql from 'mysql2/promise';
import type { SourceIO } from '../../../src/actors/io.js';
import type { BinlogPosition } from '../../../src/cdc/position.js';
import { binlogSourceKind } from '../../../src/kinds/binlog/source.js';
import type { Json, LogRecord } from '../../../src/streams/record.js';
import { actorContext } from '../../kit/actor-context.js';
import { ensureMariaDb, type MariaDbHandle } from '../../infra/mariadb/server.js';

/** The binlog tests' own server (instance "cdc"): contract and kill tests reset or kill others. */
export const ensureCdcServer = (): Promise<MariaDbHandle> => ensureMariaDb('cdc', 13316);

export const binlogUrl = (h: Omit<MariaDbHandle, 'stop'>): string =>
  `mysql://${encodeURIComponent(h.user)}:${encodeURIComponent(h.password)}@${h.host}:${h.port}`;

/** A binlog source reading `tables`, created as the runtime would (a real checkpoint in `dir`). */
export function binlogSource(h: Omit<MariaDbHandle, 'stop'>, tables: string[], dir?: string, over: Record<string, unknown> = {}): SourceIO<BinlogPosition> {
  const config = binlogSourceKind.config.parse({ url: binlogUrl(h), tables, ...over });
  return binlogSourceKind.create(config as never, actorContext({ id: 'cdc', ...(dir === undefined ? {} : { dir }) })) as SourceIO<BinlogPosition>;
}

/** Reads until `n` records came (whole batches), committing each batch as an ack would. */
export async function readRecords(io: SourceIO<BinlogPosition>, n: number, commit = true): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  while (out.length < n) {
    const read = await io.read();
    out.push(...read.records);
    if (commit) await io.commit(read.position);
  }
  return out;
}

/** A record's structured value. */
export const valueOf = (r: LogRecord): { [key: string]: Json } => r.value as { [key: string]: Json };

/** Runs statements in order on one connection of its own (session settings carry over). */
export async function session(h: Omit<MariaDbHandle, 'stop'>, statements: string[]): Promise<void> {
  const conn = await mysql.createConnection({ host: h.host, port: h.port, user: h.user, password: h.password, database: h.database });
  try {
    for (const s of statements) await conn.query(s);
  } finally {
    await conn.end();
  }
}

/** Runs statements as root over the "cdc" instance's socket (user and purge administration). */
export async function asRoot(statements: string[]): Promise<Record<string, unknown>[]> {
  const conn = await mysql.createConnection({ socketPath: '.infra/mariadb/cdc/run/mariadbd.sock', user: 'root' });
  try {
    let last: Record<string, unknown>[] = [];
    for (const s of statements) last = (await conn.query(s))[0] as Record<string, unknown>[];
    return last;
  } finally {
    await conn.end();
  }
}
