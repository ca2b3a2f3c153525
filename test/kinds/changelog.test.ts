import { describe, expect, it } from 'vitest';
import type { StageIO, StageOutput } from '../../src/actors/io.js';
import { changelogKind } from '../../src/kinds/changelog.js';
import { Ack } from '../../src/streams/ack.js';
import { makeBatch } from '../../src/streams/batch.js';
import type { LogRecord } from '../../src/streams/record.js';
import { actorContext } from '../kit/actor-context.js';
import { orderChange } from './falcon/fixtures.js';

async function changelog(format: string, records: LogRecord[]): Promise<StageOutput> {
  const io = (await changelogKind.create(changelogKind.config.parse({ format }), actorContext())) as StageIO;
  return (await io.process(makeBatch(records, Ack.none(), 'test'))) as StageOutput;
}

const T = 1_700_000_000_000;
const change = (op: string, before: { id: number; qty: number } | null, after: { id: number; qty: number } | null): LogRecord => {
  const r = orderChange(7, after, T, [], op);
  return { ...r, value: { ...(r.value as object), before } };
};
const changes = [change('insert', null, { id: 7, qty: 1 }), change('update', { id: 7, qty: 1 }, { id: 7, qty: 2 }), change('delete', { id: 7, qty: 2 }, null)];

describe('changelog stage', () => {
  it('writes Flink changelog-json: +I, -U and +U for an update, -D; keyed by primary key, one stream per table', async () => {
    const out = await changelog('changelog-json', changes);
    expect('records' in out && out.records).toEqual(
      [
        { data: { id: 7, qty: 1 }, op: '+I' },
        { data: { id: 7, qty: 1 }, op: '-U' },
        { data: { id: 7, qty: 2 }, op: '+U' },
        { data: { id: 7, qty: 2 }, op: '-D' },
      ].map((value) => ({ value, key: '{"id":7}', stream: 'millrace.orders', ts: T })),
    );
  });

  it('writes Debezium JSON with before, after, op c/u/d, ts_ms and the binlog source position', async () => {
    const out = await changelog('debezium-json', changes);
    const source = { db: 'millrace', table: 'orders', position: 'mariadb-bin.000001:4', gtid: '0-1-1' };
    expect('records' in out && out.records.map((r) => r.value)).toEqual([
      { before: null, after: { id: 7, qty: 1 }, op: 'c', ts_ms: T, source },
      { before: { id: 7, qty: 1 }, after: { id: 7, qty: 2 }, op: 'u', ts_ms: T, source },
      { before: { id: 7, qty: 2 }, after: null, op: 'd', ts_ms: T, source },
    ]);
  });

  it('writes a snapshot row (op read) as +I in changelog-json and r in Debezium JSON', async () => {
    const read = [change('read', null, { id: 7, qty: 5 })];
    const flink = await changelog('changelog-json', read);
    const debezium = await changelog('debezium-json', read);
    expect('records' in flink && flink.records.map((r) => r.value)).toEqual([{ data: { id: 7, qty: 5 }, op: '+I' }]);
    expect('records' in debezium && debezium.records.map((r) => r.value)).toMatchObject([{ before: null, after: { id: 7, qty: 5 }, op: 'r' }]);
  });

  it('dead-letters records that are no row change, with the reason', async () => {
    const out = await changelog('changelog-json', [{ value: 'a log line', ts: 0 }, { value: { op: 'upsert' }, ts: 0 }]);
    expect(out.dead?.map((d) => d.reason)).toEqual(['not a binlog row change (a structure)', 'not a binlog row change (op must be insert, update, delete or read)']);
  });

  it('passes the source heartbeats on in the table stream, with position and time', async () => {
    const heartbeat: LogRecord = { value: { op: 'heartbeat', database: 'millrace', table: 'orders', position: 'mariadb-bin.000002:77', gtid: '0-1-9' }, key: 'millrace.orders:heartbeat', ts: T };
    const out = await changelog('changelog-json', [heartbeat]);
    expect('records' in out && out.records).toEqual([
      { value: { op: 'heartbeat', source: { db: 'millrace', table: 'orders', position: 'mariadb-bin.000002:77', gtid: '0-1-9' }, ts_ms: T }, key: 'null', stream: 'millrace.orders', ts: T },
    ]);
  });
});
