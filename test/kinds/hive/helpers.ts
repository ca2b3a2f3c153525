import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { Origin } from '../../../src/streams/origin.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch, type Batch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';

/** Every file below `dir`, relative to it, `/`-separated, sorted. */
export function filesBelow(dir: string): string[] {
  try {
    return (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; parentPath: string; name: string }[])
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
      .sort();
  } catch {
    return [];
  }
}

/** The rows of one Parquet file, read by hyparquet (an implementation independent of the writer). */
export async function readParquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file: buffer, compressors })) as Record<string, unknown>[];
}

/** The visible Parquet files of a table (hidden and in-progress ones excluded), by partition. */
export async function readTable(tableDir: string): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const f of filesBelow(tableDir)) {
    const name = f.split('/').at(-1) as string;
    if (name.startsWith('.') || !name.endsWith('.parquet')) continue;
    const partition = f.split('/').slice(0, -1).join('/');
    const rows = await readParquetRows(readFileSync(join(tableDir, f)));
    out.set(partition, [...(out.get(partition) ?? []), ...rows]);
  }
  return out;
}

/** A JSON event record at event time `ts`. */
export function event(seq: number, ts: number, extra: Record<string, unknown> = {}): LogRecord {
  return { value: JSON.stringify({ seq, ts, message: `event ${seq}`, ...extra }), ts };
}

/** A batch of `records` from stream `stream` at positions start+1.. (one per record). */
export function streamBatch(records: LogRecord[], stream: string, start: number): Batch {
  const positions = records.map((_, i) => start + i + 1);
  const origin: Origin = { stream, start, end: start + records.length, positions };
  return makeBatch(records, Ack.none(), `${stream}@${start}`, origin);
}

/** The columns most tests use. */
export const eventColumns = [
  { name: 'seq', type: 'int64', required: true },
  { name: 'ts', type: 'timestamp', required: true },
  { name: 'message', type: 'string' },
] as const;
