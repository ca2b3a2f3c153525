// Measures the `file` sink (a measurement, not a test): batches/s of the exactly-once sink of this
// tree against the sink of another tree (`main`, appending without a journal), interleaved, median
// of several rounds, with fsync batch and never. Usage:
//   node --import tsx test/kinds/file/measure-sink.ts <other tree, e.g. /work/main> [batches=300] [records=500] [rounds=5]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SinkKind } from '../../../src/actors/kind.js';
import { fileSinkKind } from '../../../src/kinds/file/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import { actorContext } from '../../kit/actor-context.js';

const other = process.argv[2];
if (other === undefined) throw new Error('usage: measure-sink.ts <other tree> [batches] [records] [rounds]');
const batches = Number(process.argv[3] ?? 300);
const records = Number(process.argv[4] ?? 500);
const rounds = Number(process.argv[5] ?? 5);
const reference = ((await import(resolve(other, 'src/kinds/file/sink.ts'))) as { fileSinkKind: SinkKind }).fileSinkKind;

/** Seconds to write `batches` batches of 100-byte lines from one stream (with positions). */
async function time(kind: SinkKind, fsync: 'batch' | 'never'): Promise<number> {
  const ctx = { ...actorContext(), baseDir: mkdtempSync(join(tmpdir(), 'millrace-sink-')) };
  const io = await kind.create(kind.config.parse({ path: 'out.jsonl', fsync }), ctx);
  await io.connect();
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const positions = Array.from({ length: records }, (_, i) => (b * records + i + 1) * 100);
    const origin = { stream: 'src/1:2~x', start: b * records * 100, end: positions[records - 1] as number, positions };
    await io.write(makeBatch(positions.map((p) => ({ value: `line ${p} ${'x'.repeat(80)}`, ts: 0, headers: { file: '/logs/app.log' } })), Ack.none(), 'bench', origin));
  }
  const seconds = (performance.now() - started) / 1000;
  await io.close();
  return seconds;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
for (const fsync of ['batch', 'never'] as const) {
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    theirs.push(await time(reference, fsync));
    mine.push(await time(fileSinkKind, fsync));
  }
  const perSecond = (s: number): number => Math.round((batches * records) / s);
  console.log(`fsync ${fsync}: reference ${perSecond(median(theirs))} records/s, exactly-once ${perSecond(median(mine))} records/s, ratio ${(median(mine) / median(theirs)).toFixed(2)}x time (${batches} batches of ${records}, median of ${rounds})`);
}
