import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { defineStage } from '../../src/actors/kind.js';
import { databaseSinkConfig } from '../../src/kinds/database/config.js';
import { databaseKind } from '../../src/kinds/database/sink.js';
import { generatorConfig, generatorKind } from '../../src/kinds/generator.js';
import { mapConfig, mapKind } from '../../src/kinds/map.js';
import { createThreadIO } from '../../src/runtime/thread-io.js';
import type { LogRecord } from '../../src/streams/record.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { parsedRecords, recordSource } from '../kinds/database/fixtures.js';
import { actorContext } from '../kit/actor-context.js';
import { collectSink } from '../kit/collect-sink.js';
import { run, topology } from './harness.js';

const RECORDS = 2000;

/**
 * generator → map (its function from `source`, written to the topology's directory) with
 * isolation: thread → collect.
 */
function mapInThread(source: string, into: LogRecord[], replicas = 2): Topology {
  const t = topology([
    { id: 'gen', role: 'source', kind: generatorKind },
    { id: 'tag', role: 'stage', kind: mapKind, inputs: ['gen'], replicas, maxRecords: 400 },
    { id: 'out', role: 'sink', kind: collectSink(into), inputs: ['tag'] },
  ]);
  writeFileSync(join(t.baseDir, 'fn.mjs'), source);
  for (const node of t.nodes) {
    if (node.id === 'gen') node.config = generatorConfig.parse({ count: RECORDS, batchSize: 100, payloadBytes: 20 });
    if (node.id === 'tag') {
      node.config = mapConfig.parse({ module: 'fn.mjs', export: 'tag' });
      node.isolation = 'thread';
    }
  }
  return t;
}

const seqOf = (r: LogRecord): number => Number(/^seq=(\d+)/.exec(String(r.value))?.[1]);

/** Every seq of the generator, each counted once however often it arrived. */
function distinctSeqs(records: readonly LogRecord[]): number[] {
  return [...new Set(records.map(seqOf))].sort((a, b) => a - b);
}

const all = Array.from({ length: RECORDS }, (_, i) => i);

/** A map function that tags each record with the id of the thread it ran on. */
const tagSource = `import { threadId } from 'node:worker_threads';
export function tag(record) { return { ...record, headers: { ...record.headers, thread: String(threadId) } }; }
`;

describe('isolation: thread', () => {
  it('runs a stage set in worker threads and delivers every record exactly once', async () => {
    const out: LogRecord[] = [];
    const { runtime } = await run(mapInThread(tagSource, out));
    expect(out.map(seqOf).sort((a, b) => a - b)).toEqual(all);
    const threads = new Set(out.map((r) => r.headers?.thread));
    expect(threads.has('0') || threads.has(undefined)).toBe(false);
    expect(runtime.nodes.get('tag')?.metrics.errors).toBe(0);
  });

  it.each([
    ['exits', 'process.exit(7)', /exited with code 7/],
    ['throws outside any call', "setImmediate(() => { throw new Error('boom in the thread'); })", /boom in the thread/],
  ])('treats a thread that %s as a replica crash: restart, redelivery, nothing lost', async (_name, crash, error) => {
    const out: LogRecord[] = [];
    const t = mapInThread('', out, 1);
    const marker = join(t.baseDir, 'crashed');
    writeFileSync(
      join(t.baseDir, 'fn.mjs'),
      `import { existsSync, writeFileSync } from 'node:fs';
export function tag(record) {
  if (String(record.value).startsWith('seq=1234 ') && !existsSync(${JSON.stringify(marker)})) {
    writeFileSync(${JSON.stringify(marker)}, '');
    ${crash};
    return new Promise(() => {}); // the call stays open until the thread ends
  }
  return record;
}
`,
    );
    const { runtime } = await run(t);
    expect(distinctSeqs(out)).toEqual(all);
    const node = runtime.nodes.get('tag');
    expect(node?.metrics.errors).toBeGreaterThanOrEqual(1);
    expect(node?.metrics.lastError).toMatch(error);
    expect(node?.input?.stats.redelivered).toBeGreaterThanOrEqual(1);
  });

  it('runs a sink in a thread: the database sink stores every row and reports its status', async () => {
    const records = parsedRecords(300);
    const t = topology([
      { id: 'src', role: 'source', kind: recordSource(records, 50) },
      { id: 'db', role: 'sink', kind: databaseKind, inputs: ['src'], maxRecords: 200 },
    ]);
    const db = t.nodes.find((n) => n.id === 'db') as Topology['nodes'][number];
    db.config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'events.db' } });
    db.isolation = 'thread';
    const { runtime } = await run(t);
    const file = new BetterSqlite3(join(t.baseDir, 'events.db'), { readonly: true });
    const count = file.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number };
    file.close();
    expect(count.n).toBe(300);
    expect(runtime.nodes.get('db')?.io[0]?.status?.()).toMatchObject({ inserted: 300, duplicates: 0 });
  });

  it('is set per stage or sink in YAML, and only there', () => {
    const yaml = (extra: string): string => `sources:
  gen: { kind: generator, count: 10${extra.startsWith('src') ? extra.slice(3) : ''} }
stages:
  up: { kind: map, inputs: [gen], module: fn.mjs${extra.startsWith('stage') ? extra.slice(5) : ''} }
sinks:
  out: { kind: blackhole, inputs: [up], isolation: thread }
`;
    const ok = parseTopology(yaml('stage, isolation: thread'), 'topology.yaml', {});
    expect(ok.ok && ok.topology.nodes.map((n) => [n.id, n.isolation])).toEqual([
      ['gen', undefined],
      ['up', 'thread'],
      ['out', 'thread'],
    ]);
    const none = parseTopology(yaml('stage, isolation: none'), 'topology.yaml', {});
    expect(none.ok && none.topology.nodes.find((n) => n.id === 'up')?.isolation).toBeUndefined();
    const bad = parseTopology(yaml('stage, isolation: process'), 'topology.yaml', {});
    expect(!bad.ok && bad.errors.map((e) => e.message).join('\n')).toMatch(/isolation|invalid/i);
    const source = parseTopology(yaml('src, isolation: thread'), 'topology.yaml', {});
    expect(source.ok).toBe(false);
  });

  it('refuses a kind that is not in the registry, since the thread could not create it', async () => {
    const local = defineStage({ name: 'local', description: 'test stage', config: z.strictObject({}), create: () => ({ process: (b) => ({ records: b.records }) }) });
    const node = topology([{ id: 'local', role: 'stage', kind: local, inputs: ['x'] }]).nodes[0] as Topology['nodes'][number];
    const ctx = actorContext();
    await expect(createThreadIO(node, ctx, join(ctx.stateDir, "checkpoint.json"))).rejects.toThrow(/registered and plugin kinds only/);
  });
});
