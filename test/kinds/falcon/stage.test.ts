import { describe, expect, it } from 'vitest';
import type { StageIO, StageOutput } from '../../../src/actors/io.js';
import { falconStageKind } from '../../../src/kinds/falcon/stage.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { Json, LogRecord } from '../../../src/streams/record.js';
import { actorContext } from '../../kit/actor-context.js';
import { orderChange, rule } from './fixtures.js';

async function stage(records: LogRecord[], settings: Record<string, unknown> = {}): Promise<StageOutput> {
  const io = (await falconStageKind.create(falconStageKind.config.parse(settings), actorContext())) as StageIO;
  return (await io.process(makeBatch(records, Ack.none(), 'test'))) as StageOutput;
}

async function metrics(records: LogRecord[]): Promise<Json[]> {
  const out = await stage(records);
  return 'records' in out ? out.records.map((r) => r.value as Json) : [];
}

const T = 1_700_000_000_000; // 2023-11-14T22:13:20Z; the 60 s step starts at 1_699_999_980

describe('falcon stage', () => {
  it('makes one point per numeric field: metric db.table.field, timestamp at the step start, tags the rule and the primary key', async () => {
    expect(await metrics([orderChange(7, { id: 7, amount: '12.50', qty: 3, note: 'x', gone: null }, T)])).toEqual([
      { endpoint: 'db-1', metric: 'millrace.orders.id', timestamp: 1_699_999_980, step: 60, value: 7, counterType: 'GAUGE', tags: 'team=shop,id=7' },
      { endpoint: 'db-1', metric: 'millrace.orders.amount', timestamp: 1_699_999_980, step: 60, value: 12.5, counterType: 'GAUGE', tags: 'team=shop,id=7' },
      { endpoint: 'db-1', metric: 'millrace.orders.qty', timestamp: 1_699_999_980, step: 60, value: 3, counterType: 'GAUGE', tags: 'team=shop,id=7' },
    ]);
  });

  it('meters only the listed fields; a NULL one gives no point, a missing or non-numeric one is dead-lettered naming the rule while the rest go on', async () => {
    const listed = [rule({ id: 3, fields: 'qty, note, gone, nosuch', counterType: 'COUNTER', step: 10 })];
    const out = await stage([orderChange(7, { id: 7, qty: 3, note: 'x', gone: null }, T, listed)]);
    expect('records' in out && out.records.map((r) => r.value)).toEqual([
      { endpoint: 'db-1', metric: 'millrace.orders.qty', timestamp: 1_700_000_000, step: 10, value: 3, counterType: 'COUNTER', tags: 'team=shop,id=7' },
    ]);
    expect(out.dead?.map((d) => d.reason)).toEqual(['watch rule 3 (millrace.orders): field note is not numeric ("x"); watch rule 3 (millrace.orders): the table has no field nosuch']);
  });

  it('with primaryKeyTags: false makes one counter per table and field, the rows of a step combined by the rule aggregation', async () => {
    const summed = [rule({ fields: 'qty', aggregation: 'sum' })];
    const out = await stage([orderChange(7, { id: 7, qty: 3 }, T, summed), orderChange(8, { id: 8, qty: 4 }, T + 1000, summed)], { primaryKeyTags: false });
    expect('records' in out && out.records.map((r) => r.value)).toEqual([
      { endpoint: 'db-1', metric: 'millrace.orders.qty', timestamp: 1_699_999_980, step: 60, value: 7, counterType: 'GAUGE', tags: 'team=shop' },
    ]);
  });

  it('gives nothing for deletes and for rows without watch rules', async () => {
    expect(await metrics([orderChange(7, null, T, [rule()], 'delete'), orderChange(8, { id: 8, qty: 1 }, T, [])])).toEqual([]);
  });

  it.each([
    ['last', 5],
    ['sum', 9],
    ['max', 5],
    ['min', 1],
  ])('aggregates a counter within one step by %s, and keeps other steps apart', async (aggregation, value) => {
    const watch = [rule({ fields: 'qty', aggregation })];
    const points = await metrics([
      orderChange(7, { id: 7, qty: 3 }, T, watch),
      orderChange(7, { id: 7, qty: 1 }, T + 1000, watch),
      orderChange(7, { id: 7, qty: 5 }, T + 2000, watch),
      orderChange(7, { id: 7, qty: 4 }, T + 60_000, watch),
    ]);
    expect(points.map((p) => [(p as { timestamp: number }).timestamp, (p as { value: number }).value])).toEqual([
      [1_699_999_980, value],
      [1_700_000_040, 4],
    ]);
  });
});
