import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/formats/line-format.js';
import type { EventCounts, Manifest } from '../../../src/sample/manifest.js';
import { writeSample } from '../../../src/sample/write-sample.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { run } from '../../runtime/harness.js';
import { collectSink } from '../../kit/collect-sink.js';
import { samplePipeline, sampleFiles } from './sample-topology.js';
import { textOf, type TextOrBytes } from '../../../src/core/text-or-bytes.js';

const expectedCharset = {
  'utf-8': 'utf-8',
  gbk: 'gb18030',
  big5: 'big5',
  'utf-16le': 'utf-16le',
  latin1: 'latin1',
} as const;

interface Outcome {
  manifest: Manifest;
  stored: LogRecord[];
  dead: Array<{ reason: string; actor: string; headers?: Record<string, string> }>;
  replaced: number;
}

async function runSample(files: number, seed: number): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-sample-'));
  // A high damage rate so that even a small sample has corrupt and truncated files.
  const manifest = await writeSample({ dir, files, seed, linesPerFile: 150, damageRate: 0.08 });
  const stored: LogRecord[] = [];
  const { runtime, deadLettered } = await run(
    samplePipeline(sampleFiles(dir, manifest), collectSink(stored)),
  );
  const replaced = (runtime.nodes.get('transcode')?.io ?? []).reduce(
    (sum, io) => sum + Number(io?.status?.().replaced ?? 0),
    0,
  );
  return { manifest, stored, dead: deadLettered as Outcome['dead'], replaced };
}

function fileOf(headers: Record<string, TextOrBytes> | undefined): string {
  return textOf(headers?.file ?? '').replace(/^sample:/, '');
}

describe('sample data through decompress → transcode → split → parse', () => {
  let o: Outcome;
  beforeAll(async () => {
    // Seed 35 gives, in 40 files, every encoding, damaged files of every codec and bad lines.
    o = await runSample(40, 35);
  }, 120_000);

  it('runs on a sample with every case in it (else pick another seed)', () => {
    const undamaged = o.manifest.files.filter((f) => f.damage === undefined);
    expect(new Set(undamaged.map((f) => f.encoding)).size).toBe(5);
    expect(
      new Set(o.manifest.files.filter((f) => f.damage !== undefined).map((f) => f.codec)).size,
    ).toBe(3);
    expect(new Set(o.manifest.files.map((f) => f.damage))).toEqual(
      new Set([undefined, 'corrupt', 'truncated']),
    );
    expect(undamaged.some((f) => f.multiMember) && undamaged.some((f) => f.crlf)).toBe(true);
    expect(o.manifest.totals.unparseableLines).toBeGreaterThan(0);
    expect(o.manifest.totals.replacedChars).toBeGreaterThan(0);
  });

  it('stores exactly the good lines of the undamaged files, counted per app, day and event as MANIFEST.json says', () => {
    const damaged = new Set(
      o.manifest.files.filter((f) => f.damage !== undefined).map((f) => f.path),
    );
    const counts: EventCounts = {};
    let good = 0;
    for (const r of o.stored) {
      if (damaged.has(fileOf(r.headers))) continue;
      const e = r.value as LogEvent;
      const events = ((counts[e.app] ??= {})[e.day] ??= {});
      events[e.event as keyof typeof events] = (events[e.event as keyof typeof events] ?? 0) + 1;
      good += 1;
    }
    expect(good).toBe(o.manifest.totals.goodLines);
    expect(counts).toEqual(o.manifest.counts);
  });

  it('dead-letters each damaged file once, from decompress, naming its codec', () => {
    const damaged = o.manifest.files.filter((f) => f.damage !== undefined);
    expect(
      damaged.some((f) => f.damage === 'corrupt') && damaged.some((f) => f.damage === 'truncated'),
    ).toBe(true);
    const fromDecompress = o.dead.filter((d) => d.actor === 'decompress');
    expect(fromDecompress.map((d) => fileOf(d.headers)).sort()).toEqual(
      damaged.map((f) => f.path).sort(),
    );
    for (const d of fromDecompress) {
      const file = damaged.find((f) => f.path === fileOf(d.headers));
      expect(d.reason).toMatch(new RegExp(`^${file?.codec} error at decompressed byte \\d+ `));
    }
  });

  it('delivers from a damaged file at most its lines, each line number once', () => {
    for (const f of o.manifest.files.filter((x) => x.damage !== undefined)) {
      const lines = o.stored
        .filter((r) => fileOf(r.headers) === f.path)
        .map((r) => Number(r.headers?.line));
      expect(new Set(lines).size).toBe(lines.length);
      expect(lines.every((n) => n >= 1 && n <= f.lines)).toBe(true);
    }
  });

  it('dead-letters each unparseable line of the undamaged files with its line number', () => {
    const damaged = new Set(
      o.manifest.files.filter((f) => f.damage !== undefined).map((f) => f.path),
    );
    const fromParse = o.dead.filter((d) => d.actor === 'parse' && !damaged.has(fileOf(d.headers)));
    expect(fromParse).toHaveLength(o.manifest.totals.unparseableLines);
    for (const d of fromParse) expect(d.reason).toMatch(new RegExp(`^line ${d.headers?.line}: `));
  });

  it('numbers every line of an undamaged file exactly once, stored or dead-lettered', () => {
    const seen = new Map<string, number[]>();
    const note = (headers: Record<string, TextOrBytes> | undefined): void => {
      const list = seen.get(fileOf(headers)) ?? [];
      list.push(Number(textOf(headers?.line ?? '')));
      seen.set(fileOf(headers), list);
    };
    for (const r of o.stored) note(r.headers);
    for (const d of o.dead.filter((x) => x.actor === 'parse')) note(d.headers);
    for (const f of o.manifest.files.filter((x) => x.damage === undefined)) {
      expect((seen.get(f.path) ?? []).sort((a, b) => a - b)).toEqual(
        Array.from({ length: f.lines }, (_, i) => i + 1),
      );
    }
  });

  it('decodes each file in its charset: detected or from the BOM, with only the planted bytes replaced', () => {
    const byFile = new Map(o.stored.map((r) => [fileOf(r.headers), r.headers?.charset]));
    for (const f of o.manifest.files.filter((x) => x.damage === undefined)) {
      expect([f.path, byFile.get(f.path)]).toEqual([f.path, expectedCharset[f.encoding]]);
    }
    const damaged = new Set(
      o.manifest.files.filter((f) => f.damage !== undefined).map((f) => f.path),
    );
    const undamaged = o.stored.filter((r) => !damaged.has(fileOf(r.headers)));
    const replacedInMessages = undamaged.reduce(
      (n, r) => n + (JSON.stringify(r.value).match(/\uFFFD/g)?.length ?? 0),
      0,
    );
    expect(replacedInMessages).toBe(o.manifest.totals.replacedChars);
    // Damaged files may add their own: transcode counts every chunk it decoded.
    expect(o.replaced).toBeGreaterThanOrEqual(o.manifest.totals.replacedChars);
  });
});
