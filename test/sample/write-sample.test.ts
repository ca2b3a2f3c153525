import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fg from 'fast-glob';
import { decompress as unzstd } from 'fzstd';
import iconv from 'iconv-lite';
import { decompressFrameSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestFile } from '../../src/sample/manifest.js';
import { writeSample } from '../../src/sample/write-sample.js';
import { rawZstdFrame } from '../../src/sample/zstd.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'millrace-sample-test-'));
}

function digest(dir: string): Map<string, string> {
  const files = fg.sync('**/*', { cwd: dir, onlyFiles: true }).sort();
  return new Map(
    files.map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

/** Decodes a sample file with the libraries' whole-buffer decoders, independent of the pipeline stages. */
function referenceText(dir: string, f: ManifestFile): string {
  const raw = readFileSync(join(dir, f.path));
  const bytes =
    f.codec === 'gzip'
      ? gunzipSync(raw)
      : f.codec === 'lz4'
        ? decompressFrameSync(raw)
        : Buffer.from(unzstd(raw));
  if (f.encoding === 'utf-16le') {
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    return iconv.decode(bytes.subarray(2), 'utf-16le');
  }
  return f.encoding === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, f.encoding);
}

describe('writeSample', () => {
  it('writes the same bytes and manifest for the same seed, and different ones for another seed', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    const ma = await writeSample({ dir: a, files: 30, seed: 5 });
    const mb = await writeSample({ dir: b, files: 30, seed: 5 });
    const mc = await writeSample({ dir: c, files: 30, seed: 6 });
    expect(mb).toEqual(ma);
    expect(digest(b)).toEqual(digest(a));
    expect(mc.totals).not.toEqual(ma.totals);
  });

  it('lays files out as roots of app/day folders and writes MANIFEST.json last, equal to what it returns', async () => {
    const dir = tempDir();
    const m = await writeSample({
      dir,
      files: 60,
      roots: 2,
      days: 3,
      lastDay: '2026-11-20',
      seed: 2,
    });
    expect(m.roots).toEqual(['hdfs-a', 'hdfs-b']);
    expect(m.days).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    const onDisk = fg.sync('hdfs-*/**/*', { cwd: dir, onlyFiles: true }).sort();
    expect(onDisk).toEqual(m.files.map((f) => f.path).sort());
    for (const path of onDisk)
      expect(path).toMatch(
        /^hdfs-[ab]\/(shop|news|video|maps)\/2026-11-(18|19|20)\/part-\d+\.log\.(gz|lz4|zst)$/,
      );
    expect(JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8'))).toEqual(m);
  });

  it('keeps totals and counts consistent with its file list', async () => {
    const m = await writeSample({ dir: tempDir(), files: 200, seed: 3, damageRate: 0.05 });
    const ok = m.files.filter((f) => f.damage === undefined);
    const sum = (list: ManifestFile[], pick: (f: ManifestFile) => number): number =>
      list.reduce((n, f) => n + pick(f), 0);
    expect(m.totals.lines).toBe(sum(m.files, (f) => f.lines));
    expect(m.totals.goodLines).toBe(sum(ok, (f) => f.lines - f.unparseable));
    expect(m.totals.unparseableLines).toBe(sum(ok, (f) => f.unparseable));
    expect(m.totals.replacedChars).toBe(sum(ok, (f) => f.replaced));
    expect(m.totals.damagedFiles).toBe(m.files.length - ok.length);
    const counted = Object.values(m.counts).flatMap((days) =>
      Object.values(days).flatMap((events) => Object.values(events)),
    );
    expect(counted.reduce((n, x) => n + (x ?? 0), 0)).toBe(m.totals.goodLines);
    expect(
      m.files.some((f) => f.damage === 'corrupt') && m.files.some((f) => f.damage === 'truncated'),
    ).toBe(true);
  });

  it('writes archives that reference decoders read back into the lines listed, and damaged ones they reject', async () => {
    const dir = tempDir();
    const m: Manifest = await writeSample({ dir, files: 120, seed: 4, damageRate: 0.05 });
    for (const f of m.files) {
      if (f.damage !== undefined) {
        expect(() => referenceText(dir, f), f.path).toThrow();
        continue;
      }
      const text = referenceText(dir, f);
      const lines = text.split(f.crlf ? '\r\n' : '\n');
      if (lines.at(-1) === '') lines.pop();
      expect(lines.length, f.path).toBe(f.lines);
      expect((text.match(/\uFFFD/g) ?? []).length, f.path).toBe(f.replaced);
    }
    expect(new Set(m.files.map((f) => f.encoding))).toEqual(
      new Set(['utf-8', 'gbk', 'big5', 'utf-16le', 'latin1']),
    );
  });

  it('compresses with the chosen codecs only, and leaves the default sample as it was', async () => {
    const gzipOnly = await writeSample({ dir: tempDir(), files: 40, seed: 8, codecs: ['gzip'] });
    expect(new Set(gzipOnly.files.map((f) => f.codec))).toEqual(new Set(['gzip']));
    expect(gzipOnly.files.every((f) => f.path.endsWith('.log.gz'))).toBe(true);
    const all = await writeSample({ dir: tempDir(), files: 40, seed: 8 });
    const listed = await writeSample({ dir: tempDir(), files: 40, seed: 8, codecs: ['zstd', 'lz4', 'gzip'] });
    expect(listed).toEqual(all);
    expect(new Set(all.files.map((f) => f.codec))).toEqual(new Set(['gzip', 'lz4', 'zstd']));
    await expect(writeSample({ dir: tempDir(), files: 1, codecs: [] })).rejects.toThrow(/codecs/);
  });

  it('replaces an earlier sample in the same directory instead of mixing with it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'hdfs-a', 'stale'), { recursive: true });
    writeFileSync(join(dir, 'hdfs-a', 'stale', 'part-9.log.gz'), 'old');
    const m = await writeSample({ dir, files: 10, seed: 1 });
    expect(existsSync(join(dir, 'hdfs-a', 'stale'))).toBe(false);
    expect(fg.sync('hdfs-*/**/*', { cwd: dir }).length).toBe(m.files.length);
  });
});

describe('rawZstdFrame', () => {
  it('writes frames that fzstd decodes, across several raw blocks and when empty', () => {
    const big = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `line ${i}\n`).join(''));
    expect(big.length).toBeGreaterThan(2 * 128 * 1024);
    expect(Buffer.from(unzstd(rawZstdFrame(big))).equals(big)).toBe(true);
    expect(unzstd(rawZstdFrame(new Uint8Array(0)))).toHaveLength(0);
  });
});
