import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { chainKind } from '../../src/kinds/registry.js';
import { databaseSinkConfig } from '../../src/kinds/database/config.js';
import { databaseKind } from '../../src/kinds/database/sink.js';
import { parseKind } from '../../src/kinds/parse.js';
import { splitKind } from '../../src/kinds/split.js';
import { Ack } from '../../src/streams/ack.js';
import { makeBatch } from '../../src/streams/batch.js';
import type { LogRecord } from '../../src/streams/record.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { recordSource } from './database/fixtures.js';
import { actorContext } from '../kit/actor-context.js';
import { collectSink } from '../kit/collect-sink.js';
import { run, topology } from '../runtime/harness.js';

const FILES = 12;
const LINES = 3000;

/** Gzip log files as the hdfs source emits them: one record per file, a few lines unparseable. */
function logFiles(): LogRecord[] {
  return Array.from({ length: FILES }, (_, f) => {
    const lines = Array.from({ length: LINES }, (_, i) => (i % 997 === 500 ? `garbage ${i}` : `2026-11-20T08:15:02.113Z app${f} ad_show user=u${i} n=${i}`));
    const file = `test:/logs/f${f}.log.gz`;
    return { value: gzipSync(lines.join('\n') + '\n'), key: file, ts: 0, headers: { file, source: 'test', path: `/logs/f${f}.log.gz`, size: '0', mtime: '0' } };
  });
}

const badPerFile = Array.from({ length: LINES }, (_, i) => i).filter((i) => i % 997 === 500).length;

/** files → a chain decompress → transcode → split → parse (plus `extra` steps) in worker threads → `sink`. */
function segment(sink: Topology['nodes'][number]['kind'], replicas: number, extra: Record<string, unknown>[] = []): Topology {
  const t = topology([
    { id: 'files', role: 'source', kind: recordSource(logFiles(), 2) },
    { id: 'lines', role: 'stage', kind: chainKind, inputs: ['files'], replicas },
    { id: 'out', role: 'sink', kind: sink, inputs: ['lines'], maxRecords: 4000 },
  ]);
  const lines = t.nodes.find((n) => n.id === 'lines') as Topology['nodes'][number];
  lines.config = chainKind.config.parse({ stages: [{ kind: 'decompress', chunkBytes: 16 * 1024 }, { kind: 'transcode' }, { kind: 'split' }, { kind: 'parse' }, ...extra] });
  lines.isolation = 'thread';
  return t;
}

describe('chain: a parallel segment', () => {
  it('gives what its steps give one after the other', async () => {
    const ctx = actorContext();
    const text = '2026-11-20T08:15:02.113Z shop ad_show user=u1\nnot a line\n2026-11-20T08:15:03.000Z shop ad_click user=u2 ad=a1\n';
    const input = [{ value: text, key: 'f', ts: 0, headers: { file: 'f', firstLine: '10' } }];
    const chain = await chainKind.create(chainKind.config.parse({ stages: [{ kind: 'split' }, { kind: 'parse' }] }), ctx);
    const fused = [];
    const out = chain.process(makeBatch(input, Ack.none(), 'p'));
    for await (const piece of out as AsyncIterable<{ records: LogRecord[]; dead?: unknown[] }>) fused.push(piece);
    const split = await splitKind.create(splitKind.config.parse({}), ctx);
    const parse = await parseKind.create(parseKind.config.parse({}), ctx);
    const lines = (await split.process(makeBatch(input, Ack.none(), 'p'))) as { records: LogRecord[] };
    const parsed = (await parse.process(makeBatch(lines.records, Ack.none(), 'p'))) as { records: LogRecord[]; dead: { reason: string }[] };
    expect(fused.flatMap((p) => p.records)).toEqual(parsed.records);
    expect(fused.flatMap((p) => p.dead ?? []).map((d) => (d as { reason: string }).reason)).toEqual(parsed.dead.map((d) => d.reason));
    expect(chain.status?.()).toMatchObject({ '0-split': { lines: 3 }, '1-parse': { parsed: 2, rejected: 1 } });
  });

  it('runs decompress → transcode → split → parse in two worker threads: every line once, in order within its file', async () => {
    const out: LogRecord[] = [];
    const { deadLettered } = await run(segment(collectSink(out), 2));
    expect(out).toHaveLength(FILES * (LINES - badPerFile));
    expect(deadLettered).toHaveLength(FILES * badPerFile);
    const perFile = new Map<string, number[]>();
    for (const r of out) {
      const file = r.headers?.file as string;
      perFile.set(file, [...(perFile.get(file) ?? []), Number(r.headers?.line)]);
    }
    expect(perFile.size).toBe(FILES);
    for (const lines of perFile.values()) {
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
      expect(new Set(lines).size).toBe(lines.length);
    }
    const event = out[0]?.value as { app: string; event: string; user: string };
    expect(event).toMatchObject({ event: 'ad_show', user: expect.stringMatching(/^u\d+$/) });
  });

  it('treats a worker that dies mid-file as a replica crash: the file is redelivered and every line is in the database once', async () => {
    const t = segment(databaseKind, 2, [{ kind: 'map', module: 'die.mjs', export: 'dieOnce' }]);
    const marker = join(t.baseDir, 'died');
    writeFileSync(
      join(t.baseDir, 'die.mjs'),
      `import { existsSync, writeFileSync } from 'node:fs';
export function dieOnce(record) {
  if (record.headers.file === 'test:/logs/f5.log.gz' && record.headers.line === '2000' && !existsSync(${JSON.stringify(marker)})) {
    writeFileSync(${JSON.stringify(marker)}, '');
    process.exit(9);
  }
  return record;
}
`,
    );
    const db = t.nodes.find((n) => n.id === 'out') as Topology['nodes'][number];
    db.config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'events.db' } });
    const { runtime } = await run(t);
    expect(runtime.nodes.get('lines')?.metrics.lastError).toMatch(/exited with code 9/);
    const file = new BetterSqlite3(join(t.baseDir, 'events.db'), { readonly: true });
    const rows = file.prepare('SELECT file, COUNT(*) AS n, COUNT(DISTINCT line) AS d, SUM(line) AS s FROM events GROUP BY file ORDER BY file').all() as { file: string; n: number; d: number; s: number }[];
    file.close();
    const good = Array.from({ length: LINES }, (_, i) => i).filter((i) => i % 997 !== 500);
    expect(rows).toHaveLength(FILES);
    for (const r of rows) expect(r).toMatchObject({ n: good.length, d: good.length, s: good.reduce((a, i) => a + i + 1, 0) });
  });

  it('names a step that cannot run inside it, or a wrong setting, at its place in the YAML', () => {
    const yaml = `sources:
  gen: { kind: generator, count: 10 }
stages:
  lines:
    kind: chain
    inputs: [gen]
    stages: [{ kind: split }, { kind: distribute }, { kind: parse, format: xml }, { kind: nope }]
sinks:
  out: { kind: blackhole, inputs: [lines] }
`;
    const result = parseTopology(yaml, 'topology.yaml', {});
    expect(result.ok).toBe(false);
    const messages = !result.ok ? formatTopologyErrors(result.errors) : '';
    expect(messages).toMatch(/:7:\d+: stages\.lines\.stages\[1\]\.kind: a distribute stage cannot run inside a chain/);
    expect(messages).toMatch(/:7:\d+: stages\.lines\.stages\[2\]\.format: parse: Invalid option/);
    expect(messages).toMatch(/:7:\d+: stages\.lines\.stages\[3\]\.kind: unknown stage kind "nope"/);
  });
});
