/**
 * The opensearch sink vs the official client's bulk helper, indexing the same documents into the
 * same real node.
 *
 *   npm run bench -- opensearch            (or: node --import tsx bench/opensearch.ts [--docs 50000] [--rounds 3])
 *
 * Documents: ~1 KiB JSON log events with an `id` field, held in memory. Each run indexes all of
 * them into a fresh index (1 shard, no replica) with the id field as `_id`, and counts as done
 * when the last bulk request is answered; the index is deleted afterwards.
 * - sink: the opensearch sink with its defaults (1000 documents per bulk request, 2 batches in
 *   flight), given batches of 1000 records as the runtime would (the next batch handed over as
 *   soon as fewer than writesInFlight are being written).
 * - helper: `client.helpers.bulk` of @opensearch-project/opensearch with its defaults (5 MB per
 *   request, 5 requests in flight).
 * Rounds alternate which goes first, so load from elsewhere hits both; medians are reported and
 * `ratio` is sink / helper in documents per second. Uses MILLRACE_OPENSEARCH_URL, or starts
 * node "bench" on 127.0.0.1:19200. Writes bench/results/opensearch.json.
 */
import os from 'node:os';
import { Client } from '@opensearch-project/opensearch';
import { openSearchSinkKind } from '../src/kinds/opensearch/sink.js';
import { Ack } from '../src/streams/ack.js';
import { makeBatch } from '../src/streams/batch.js';
import type { Json, LogRecord } from '../src/streams/record.js';
import { ensureOpenSearch, openSearchJson } from '../test/infra/opensearch/node.js';
import { actorContext } from '../test/kit/actor-context.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';

const MB = 1024 * 1024;
const BATCH = 1000;

export interface OpenSearchBenchResult {
  docs: number;
  docBytes: number;
  rounds: number;
  /** Documents per second, median of the rounds, each round listed. */
  sink: { docsPerSec: number; mbPerSec: number; runs: number[] };
  helper: { docsPerSec: number; mbPerSec: number; runs: number[] };
  ratio: number;
  target: number;
  loadAverage: number[];
  cpus: number;
}

function documents(n: number): LogRecord[] {
  const base = Date.UTC(2026, 11, 6);
  const filler = 'x'.repeat(760);
  return Array.from({ length: n }, (_, i) => {
    const value: { [key: string]: Json } = {
      id: `doc-${i}`,
      seq: i,
      '@timestamp': new Date(base + i).toISOString(),
      level: i % 10 === 0 ? 'warn' : 'info',
      service: `svc-${i % 17}`,
      host: `host-${i % 5}.example`,
      msg: `request ${i} served in ${i % 1000} ms`,
      detail: filler,
    };
    return { ts: base + i, value };
  });
}

async function freshIndex(url: string, index: string): Promise<void> {
  await openSearchJson(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
}

async function indexedCount(url: string, index: string): Promise<number> {
  await openSearchJson(url, 'POST', `/${index}/_refresh`);
  return (await openSearchJson<{ count: number }>(url, 'GET', `/${index}/_count`)).count;
}

/** Seconds the sink takes to index `records`, fed as the runtime would. */
async function runSink(url: string, index: string, records: LogRecord[]): Promise<number> {
  const config = openSearchSinkKind.config.parse({ url, index, documentId: 'field', idField: 'id' });
  const io = await openSearchSinkKind.create(config as never, actorContext({ id: 'bench' }));
  await io.connect();
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  for (let from = 0; from < records.length; from += BATCH) {
    while (inFlight.size >= (io.writesInFlight ?? 1)) await Promise.race(inFlight);
    const write = io.write(makeBatch(records.slice(from, from + BATCH), Ack.none(), 'bench')).then((result) => {
      if (result?.dead !== undefined) throw new Error(`sink dead-lettered ${result.dead.length}: ${result.dead[0]?.reason ?? ''}`);
    });
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await io.close();
  return seconds;
}

/** Seconds the client's bulk helper takes to index the same documents. */
async function runHelper(client: Client, index: string, records: LogRecord[]): Promise<number> {
  const started = performance.now();
  const stats = await client.helpers.bulk({
    datasource: records.map((r) => r.value as { id: string }),
    onDocument: (doc) => ({ index: { _index: index, _id: doc.id } }),
  });
  const seconds = (performance.now() - started) / 1000;
  if (stats.failed > 0) throw new Error(`bulk helper failed ${stats.failed} documents`);
  return seconds;
}

export async function runOpenSearchBench(options: { docs?: number; rounds?: number; print?: boolean } = {}): Promise<OpenSearchBenchResult> {
  const docs = options.docs ?? numberArg('docs') ?? 50_000;
  const rounds = options.rounds ?? numberArg('rounds') ?? 3;
  const node = await ensureOpenSearch('bench', 19200);
  const client = new Client({ node: node.url });
  const records = documents(docs);
  const bytes = records.reduce((sum, r) => sum + JSON.stringify(r.value).length, 0);
  const sinkRuns: number[] = [];
  const helperRuns: number[] = [];
  try {
    const contenders = {
      sink: (index: string) => runSink(node.url, index, records),
      helper: (index: string) => runHelper(client, index, records),
    };
    // A warm-up of each, not counted: the first bulk requests compile and allocate on the node.
    for (const [name, run] of Object.entries(contenders)) {
      const index = `millrace-bench-warmup-${name}`;
      await freshIndex(node.url, index);
      await run(index);
      await openSearchJson(node.url, 'DELETE', `/${index}`);
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['sink', 'helper'] as const) : (['helper', 'sink'] as const);
      for (const name of order) {
        const index = `millrace-bench-${name}-${round}`;
        await freshIndex(node.url, index);
        const seconds = await contenders[name](index);
        const count = await indexedCount(node.url, index);
        if (count !== docs) throw new Error(`${name} left ${count} documents in ${index}, not ${docs}`);
        await openSearchJson(node.url, 'DELETE', `/${index}`);
        (name === 'sink' ? sinkRuns : helperRuns).push(Math.round(docs / seconds));
        if (options.print !== false) process.stderr.write(`round ${round + 1} ${name}: ${Math.round(docs / seconds)} docs/s\n`);
      }
    }
  } finally {
    await client.close();
    await node.stop();
  }
  const perDoc = bytes / docs;
  const summary = (runs: number[]) => ({ docsPerSec: median(runs), mbPerSec: Number(((median(runs) * perDoc) / MB).toFixed(2)), runs });
  const sink = summary(sinkRuns);
  const helper = summary(helperRuns);
  return { docs, docBytes: Math.round(perDoc), rounds, sink, helper, ratio: Number((sink.docsPerSec / helper.docsPerSec).toFixed(3)), target: 0.9, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))), cpus: os.cpus().length };
}

if (isMain(import.meta.url)) {
  const result = await runOpenSearchBench();
  await saveResult('opensearch', { ...result, measuredAt: new Date().toISOString(), node: process.version }, undefined);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
