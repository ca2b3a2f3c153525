import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { openSearchSinkKind } from '../../../src/kinds/opensearch/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { countDocuments, openSearchJson } from '../../infra/opensearch/node.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { actorContext } from '../../kit/actor-context.js';
import { run } from '../../runtime/harness.js';
import { eventually } from '../../kit/eventually.js';
import { build, kafkaTransport, start } from '../kafka/helpers.js';
import { logEvents, noOpenSearch, sendEvents, useOpenSearch } from './fixtures.js';

const unique = (what: string): string => `millrace-${what}-${process.pid}-${Date.now()}`;

/** The sink's counters as its status() shows them. */
type Counts = Record<'indexed' | 'created' | 'replaced' | 'deadLettered' | 'retried', number>;

describe.skipIf(noOpenSearch())('opensearch sink against a real node', () => {
  const node = useOpenSearch();
  const kafka = useKafka();

  async function sinkFor(settings: Record<string, unknown>) {
    const io = await openSearchSinkKind.create(openSearchSinkKind.config.parse({ url: node.url, ...settings }) as never, actorContext({ id: 'search' }));
    await io.connect();
    return io;
  }

  it('dead-letters a document the mapping rejects and one that is no JSON object, with the reason, and indexes the rest of the batch', async () => {
    const index = unique('malformed');
    await openSearchJson(node.url, 'PUT', `/${index}`, { mappings: { properties: { seq: { type: 'long' } } } });
    const io = await sinkFor({ index, documentId: 'field', idField: 'id' });
    const records: LogRecord[] = logEvents(10);
    const badMapping = { ts: Date.UTC(2026, 11, 6), value: { id: 'bad-seq', seq: 'not a number' } };
    const notJson = { ts: Date.UTC(2026, 11, 6), value: 'plain text line' };
    const noId = { ts: Date.UTC(2026, 11, 6), value: { seq: 99 } };
    records.splice(3, 0, badMapping);
    records.splice(7, 0, notJson, noId);

    const result = await io.write(makeBatch(records, Ack.none(), 'test'));

    const dead = result?.dead ?? [];
    expect(dead.map((d) => d.record)).toEqual([notJson, noId, badMapping]);
    expect(dead[0]?.reason).toMatch(/not a JSON document/);
    expect(dead[1]?.reason).toMatch(/id field id is missing/);
    expect(dead[2]?.reason).toMatch(new RegExp(`rejected the document for index ${index}: mapper_parsing_exception: failed to parse field \\[seq\\]`));
    expect(await countDocuments(node.url, index)).toBe(10);
    expect(io.status?.()).toMatchObject({ indexed: 10, deadLettered: 3, retried: 0 });
    await io.close();
  });

  it('names the index from each record event time (one index per day) and keeps the document as sent', async () => {
    const prefix = unique('daily');
    const io = await sinkFor({ index: `${prefix}-{yyyy.MM.dd}`, documentId: 'field', idField: 'id' });
    const day = 86_400_000;
    const records = logEvents(6).map((r, i) => ({ ...r, ts: r.ts + (i % 3) * day }));
    expect(await io.write(makeBatch(records, Ack.none(), 'test'))).toBeUndefined();
    for (const d of ['2026.12.06', '2026.12.07', '2026.12.08']) expect(await countDocuments(node.url, `${prefix}-${d}`)).toBe(2);
    const doc = await openSearchJson<{ _source: unknown }>(node.url, 'GET', `/${prefix}-2026.12.07/_doc/event-1`);
    expect(doc._source).toEqual(records[1]?.value);
    await io.close();
  });

  it('indexes every record of a Kafka topic exactly once when it is delivered again: a second group re-reads it and overwrites the same ids', async () => {
    const topic = unique('events');
    const index = unique('redelivery');
    const n = 5000;
    await sendEvents(kafka.brokers, topic, 3, logEvents(n), 1000);

    const runOnce = async (group: string): Promise<Counts> => {
      const runtime = await start(
        build(kafkaTransport(kafka.brokers), [
          { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group, topics: [topic], sessionTimeoutMs: 6000 } },
          { id: 'search', role: 'sink', kind: openSearchSinkKind, config: { url: node.url, index, maxBulkDocuments: 700 }, inputs: ['in'] },
        ]),
      );
      const counts = (): Counts => runtime.nodes.get('search')?.io[0]?.status?.() as unknown as Counts;
      // On a timeout the message shows where the consumer stood (assignment, lag, paused).
      const where = (): string => JSON.stringify({ search: counts(), in: runtime.nodes.get('in')?.io[0]?.status?.() });
      await eventually(
        () => {
          expect(counts().indexed, where()).toBeGreaterThanOrEqual(n);
          return true;
        },
        { what: `${n} documents indexed for group ${group}`, timeoutMs: 60_000 },
      );
      await runtime.stop();
      return counts();
    };

    const first = await runOnce(`${topic}-first`);
    expect(first).toMatchObject({ indexed: n, created: n, replaced: 0, deadLettered: 0 });
    expect(await countDocuments(node.url, index)).toBe(n);

    const again = await runOnce(`${topic}-again`);
    expect(again).toMatchObject({ indexed: n, created: 0, replaced: n, deadLettered: 0 });
    expect(await countDocuments(node.url, index)).toBe(n);
    const seqs = await openSearchJson<{ aggregations: { distinct: { value: number } } }>(node.url, 'POST', `/${index}/_search?size=0`, {
      aggs: { distinct: { cardinality: { field: 'seq', precision_threshold: 40000 } } },
    });
    expect(seqs.aggregations.distinct.value).toBe(n);
  }, 150_000);

  it('in a runtime, a Kafka topic with malformed events among good ones: the bad ones reach the dead-letter file with the reason, every good one is indexed, the run ends', async () => {
    const topic = unique('mixed');
    const index = unique('mixed');
    await openSearchJson(node.url, 'PUT', `/${index}`, { mappings: { properties: { seq: { type: 'long' } } } });
    const events = logEvents(300);
    events[42] = { ts: events[42]?.ts ?? 0, value: { id: 'event-42', seq: 'forty-two' } };
    events[200] = { ts: events[200]?.ts ?? 0, value: 'not json at all' };
    await sendEvents(kafka.brokers, topic, 2, events, 100);

    const { runtime, deadLettered } = await run(
      build(kafkaTransport(kafka.brokers), [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: topic, topics: [topic], until: 'end', sessionTimeoutMs: 6000 } },
        { id: 'search', role: 'sink', kind: openSearchSinkKind, config: { url: node.url, index }, inputs: ['in'] },
      ]),
    );

    expect(deadLettered.map((d) => [d.actor, d.value])).toEqual(
      expect.arrayContaining([
        ['search', JSON.stringify({ id: 'event-42', seq: 'forty-two' })],
        ['search', JSON.stringify('not json at all')],
      ]),
    );
    expect(deadLettered).toHaveLength(2);
    const reasons = deadLettered.map((d) => d.reason).join('\n');
    expect(reasons).toMatch(/mapper_parsing_exception: failed to parse field \[seq\]/);
    expect(reasons).toMatch(/not a JSON object/);
    expect(await countDocuments(node.url, index)).toBe(298);
    expect(runtime.nodes.get('search')?.io[0]?.status?.()).toMatchObject({ indexed: 298, deadLettered: 2 });
  }, 120_000);
});
