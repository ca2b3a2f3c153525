/**
 * Throughput of decompress → transcode → split → parse on sample data, in one process:
 * uncompressed MB/s of the whole pipeline in a real runtime, then each stage alone.
 *
 *   node --import tsx test/kinds/pipeline/measure-throughput.ts [dir] [files] [replicas]
 *
 * Writes the sample (seed 1) into `dir` (default /tmp/millrace-throughput) unless its
 * MANIFEST.json is there already.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { StageOutput } from '../../../src/actors/io.js';
import { defineSink, type KindDefinition } from '../../../src/actors/kind.js';
import { decompressKind } from '../../../src/kinds/decompress.js';
import { parseKind } from '../../../src/kinds/parse.js';
import { splitKind } from '../../../src/kinds/split.js';
import { transcodeKind } from '../../../src/kinds/transcode.js';
import type { Manifest } from '../../../src/sample/manifest.js';
import { writeSample } from '../../../src/sample/write-sample.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { run } from '../../runtime/harness.js';
import { actorContext } from '../../kit/actor-context.js';
import { runStage } from './helpers.js';
import { samplePipeline, sampleFiles } from './sample-topology.js';

const [dir = '/tmp/millrace-throughput', files = '2000', replicas = '1'] = process.argv.slice(2);

function countingSink(counter: { records: number }): KindDefinition {
  return defineSink({
    name: 'count',
    description: 'counts records',
    config: z.strictObject({}),
    create: () => ({
      async connect() {},
      async write(batch) {
        counter.records += batch.records.length;
      },
      async close() {},
    }),
  });
}

const mb = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;

/** CPU time of this process (all threads: zlib works on the libuv pool) since `from`, in ms. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

/** Wall and CPU throughput: on a shared machine the CPU figure is the steadier one. */
function rates(bytes: number, wallMs: number, cpu: number): string {
  return `wall ${wallMs.toFixed(0).padStart(6)} ms ${mb(bytes, wallMs).padStart(11)} | cpu ${cpu.toFixed(0).padStart(6)} ms ${mb(bytes, cpu).padStart(11)}`;
}

/** Runs `batches` through one instance of a stage kind, timed; returns what it passed on. */
async function stageAlone(
  kind: KindDefinition,
  batches: LogRecord[][],
  bytes: number,
): Promise<LogRecord[]> {
  if (kind.role !== 'stage') throw new Error(`${kind.name} is not a stage`);
  const io = await kind.create(kind.config.parse({}), actorContext());
  const out: LogRecord[] = [];
  const take = (piece: StageOutput): void => {
    if ('records' in piece) for (const r of piece.records) out.push(r);
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const records of batches) {
    const result = io.process(makeBatch(records, Ack.none(), 'measure'));
    if (Symbol.asyncIterator in result) for await (const piece of result) take(piece);
    else take(await result);
  }
  console.log(
    `${kind.name.padEnd(10)} ${rates(bytes, performance.now() - started, cpuMs(cpu))}  (${batches.length} batches in, ${out.length} out)`,
  );
  return out;
}

const one = (records: LogRecord[]): LogRecord[][] => records.map((r) => [r]);

if (!existsSync(join(dir, 'MANIFEST.json')))
  await writeSample({ dir, files: Number(files), seed: 1 });
const manifest = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8')) as Manifest;
const inputs: LogRecord[] = await Promise.all(
  manifest.files.map(async (f) => ({
    value: await readFile(join(dir, f.path)),
    key: f.path,
    ts: 0,
    headers: { file: f.path },
  })),
);
const compressed = inputs.reduce((n, r) => n + (r.value as Uint8Array).length, 0);

const counter = { records: 0 };
const started = performance.now();
const cpu = process.cpuUsage();
const { runtime } = await run(
  samplePipeline(sampleFiles(dir, manifest, 4), countingSink(counter), Number(replicas)),
);
const ms = performance.now() - started;
const pipelineCpu = cpuMs(cpu);
const uncompressed = (runtime.nodes.get('decompress')?.io ?? []).reduce(
  (n, io) => n + Number(io?.status?.().bytesOut ?? 0),
  0,
);
console.log(
  `sample: ${manifest.files.length} files, ${(compressed / 1e6).toFixed(1)} MB compressed, ${(uncompressed / 1e6).toFixed(1)} MB uncompressed, ${manifest.totals.lines} lines`,
);
console.log(
  `pipeline (runtime, ${replicas} replica(s) per stage), uncompressed bytes: ${rates(uncompressed, ms, pipelineCpu)}, ${counter.records} events stored`,
);

console.log(
  'each stage alone, same data (one file or chunk per batch; parse: the lines of one chunk per batch):',
);
const chunks = await stageAlone(decompressKind, one(inputs), uncompressed);
const texts = await stageAlone(transcodeKind, one(chunks), uncompressed);
const perChunk = await Promise.all(
  texts.map(async (t) => (await runStage(splitKind, {}, [t])).records),
);
await stageAlone(splitKind, one(texts), uncompressed);
await stageAlone(parseKind, perChunk, uncompressed);
