import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodeText, flipBytes, gzipMembers, lz4Frame, truncate } from './encode.js';
import { fileContent, fileText, planFile, sampleCodecs, type FilePlan } from './file-plan.js';
import { countEvent, type Manifest, type ManifestFile } from './manifest.js';
import { Random } from './random.js';
import { zstdFiles } from './zstd.js';

/** What {@link writeSample} writes. */
export interface SampleOptions {
  /** Directory to write into; its `hdfs-*` roots and MANIFEST.json are replaced. */
  dir: string;
  /** Number of "HDFS" roots (`hdfs-a`, `hdfs-b`, ...). */
  roots?: number;
  /** Files in all, spread over the roots. */
  files?: number;
  /** Average lines per file (each file has 50% to 150% of it). */
  linesPerFile?: number;
  seed?: number;
  /** Days covered, ending with `lastDay`. */
  days?: number;
  /** The last day, `YYYY-MM-DD`. */
  lastDay?: string;
  /** Share of files damaged, per kind of damage (corrupt, truncated). */
  damageRate?: number;
  /** Codecs files are compressed with (default all: gzip 50%, LZ4 25%, zstd 25%). */
  codecs?: readonly FilePlan['codec'][];
}

const DAY = 86_400_000;
/** Files written at once. */
const WRITE_BATCH = 64;

function dayList(lastDay: string, days: number): string[] {
  const last = Date.parse(`${lastDay}T00:00:00Z`);
  if (Number.isNaN(last)) throw new RangeError(`lastDay must be YYYY-MM-DD, got ${lastDay}`);
  return Array.from({ length: days }, (_, i) =>
    new Date(last - (days - 1 - i) * DAY).toISOString().slice(0, 10),
  );
}

function extension(codec: FilePlan['codec']): string {
  return codec === 'gzip' ? 'gz' : codec === 'lz4' ? 'lz4' : 'zst';
}

function compress(plan: FilePlan, text: string, lines: readonly string[]): Buffer {
  if (plan.codec === 'lz4') return lz4Frame(encodeText(text, plan.encoding));
  if (!plan.multiMember || lines.length < 2) return gzipMembers([encodeText(text, plan.encoding)]);
  // Split at a line end; the BOM of UTF-16 stays at the start of the first member only.
  const half = Math.ceil(lines.length / 2);
  const head = fileText(lines.slice(0, half), { ...plan, finalNewline: true });
  const tail = text.slice(head.length);
  const first = encodeText(head, plan.encoding);
  const rest = encodeText(tail, plan.encoding);
  return gzipMembers(plan.encoding === 'utf-16le' ? [first, rest.subarray(2)] : [first, rest]);
}

function damaged(bytes: Buffer, damage: FilePlan['damage']): Buffer {
  if (damage === 'corrupt') return flipBytes(bytes);
  return damage === 'truncated' ? truncate(bytes) : bytes;
}

async function writeAll(jobs: readonly { path: string; bytes: Buffer }[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += WRITE_BATCH) {
    await Promise.all(jobs.slice(i, i + WRITE_BATCH).map((j) => writeFile(j.path, j.bytes)));
  }
}

/**
 * Writes a deterministic sample of compressed log files, as HDFS pollers would find them:
 * `<dir>/hdfs-<x>/<app>/<day>/part-<n>.log.gz|.lz4|.zst`, mostly UTF-8 with some GBK, Big5,
 * UTF-16LE (with BOM) and Latin-1 files, CRLF in some, a few multi-member gzip files, a few
 * corrupt and truncated archives, undecodable bytes and unparseable lines. Writes
 * `<dir>/MANIFEST.json` last (so its presence means the sample is complete) and returns it.
 *
 * @example
 * const manifest = await writeSample({ dir: 'data/sample', files: 40, seed: 7 });
 * manifest.totals.goodLines; // what the pipeline must store from the undamaged files
 */
export async function writeSample(options: SampleOptions): Promise<Manifest> {
  const {
    dir,
    roots = 3,
    files = 2000,
    linesPerFile = 200,
    seed = 1,
    days = 7,
    lastDay = '2026-11-20',
    damageRate = 0.01,
    codecs = sampleCodecs,
  } = options;
  if (roots < 1 || roots > 26) throw new RangeError(`roots must be 1..26, got ${roots}`);
  if (!codecs.some((c) => sampleCodecs.includes(c)))
    throw new RangeError(`codecs must name at least one of ${sampleCodecs.join(', ')}`);
  const rng = new Random(seed);
  const rootNames = Array.from({ length: roots }, (_, i) => `hdfs-${String.fromCharCode(97 + i)}`);
  const dayNames = dayList(lastDay, days);
  await rm(join(dir, 'MANIFEST.json'), { force: true });
  await Promise.all(rootNames.map((r) => rm(join(dir, r), { recursive: true, force: true })));

  const manifest: Manifest = {
    version: 1,
    seed,
    roots: rootNames,
    days: dayNames,
    linesPerFile,
    zstd: 'zstd-cli',
    totals: {
      files,
      lines: 0,
      goodLines: 0,
      unparseableLines: 0,
      replacedChars: 0,
      damagedFiles: 0,
      damagedLines: 0,
    },
    counts: {},
    files: [],
  };
  const parts = new Map<string, number>();
  const jobs: { path: string; bytes: Buffer }[] = [];
  const zstdPlain: string[] = [];
  const zstdDamage: { path: string; damage: FilePlan['damage'] }[] = [];
  for (let f = 0; f < files; f++) {
    const plan = planFile(rng, rootNames[f % roots] as string, dayNames, damageRate, codecs);
    const content = fileContent(
      rng,
      plan,
      Math.max(1, Math.round(linesPerFile * (0.5 + rng.next()))),
    );
    const folder = join(plan.root, plan.app, plan.day);
    const part = parts.get(folder) ?? 0;
    parts.set(folder, part + 1);
    const path = join(folder, `part-${part}.log.${extension(plan.codec)}`);
    const text = fileText(content.lines, plan);
    await mkdir(join(dir, folder), { recursive: true });
    if (plan.codec === 'zstd') {
      const plain = join(dir, path.slice(0, -'.zst'.length));
      jobs.push({ path: plain, bytes: encodeText(text, plan.encoding) });
      zstdPlain.push(plain);
      if (plan.damage !== undefined)
        zstdDamage.push({ path: join(dir, path), damage: plan.damage });
    } else {
      jobs.push({
        path: join(dir, path),
        bytes: damaged(compress(plan, text, content.lines), plan.damage),
      });
    }
    const unparseable = content.events.filter((e) => e === undefined).length;
    const entry: ManifestFile = {
      path,
      codec: plan.codec,
      encoding: plan.encoding,
      lines: content.lines.length,
      unparseable,
      replaced: content.replaced,
      crlf: plan.crlf,
      multiMember: plan.multiMember,
    };
    manifest.totals.lines += entry.lines;
    if (plan.damage !== undefined) {
      entry.damage = plan.damage;
      manifest.totals.damagedFiles += 1;
      manifest.totals.damagedLines += entry.lines;
    } else {
      manifest.totals.goodLines += entry.lines - unparseable;
      manifest.totals.unparseableLines += unparseable;
      manifest.totals.replacedChars += content.replaced;
      for (const event of content.events)
        if (event !== undefined) countEvent(manifest.counts, plan.app, plan.day, event);
    }
    manifest.files.push(entry);
  }
  await writeAll(jobs);
  manifest.zstd = await zstdFiles(zstdPlain);
  for (const { path, damage } of zstdDamage)
    await writeFile(path, damaged(await readFile(path), damage));
  const target = join(dir, 'MANIFEST.json');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(`${target}.tmp`, JSON.stringify(manifest, null, 1));
  await rename(`${target}.tmp`, target);
  return manifest;
}
