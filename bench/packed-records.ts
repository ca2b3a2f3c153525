import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { parseMillraceLine } from '../src/formats/line-format.js';
import { packRecords, transferOf, unpackRecords } from '../src/streams/packed-records.js';
import type { LogRecord } from '../src/streams/record.js';

/** Microseconds per record on each side of the thread boundary, medians over interleaved rounds. */
export interface CrossingCost {
  sendUs: number;
  receiveUs: number;
}

export interface PackedRecordsBenchResult {
  batchRecords: number;
  rounds: number;
  /** postMessage of the records as they are (structured clone), then receiving them. */
  clone: CrossingCost;
  /** packRecords + postMessage with the buffer transferred, then receiving and unpackRecords. */
  packed: CrossingCost;
  /** clone.receiveUs / packed.receiveUs: how much less the receiving thread (the runtime's) spends. */
  receiveRatio: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Parsed events as `parse` emits them, with the headers the log pipeline gives a line. */
function parsedBatch(n: number): LogRecord[] {
  const headers = { file: 'pollers:hdfs-a/2026/11/20/app-7.log.gz', source: 'pollers', path: '2026/11/20/app-7.log.gz', size: '1843202', mtime: '1763600000000', chunk: '3', compression: 'gzip', charset: 'UTF-8' };
  return Array.from({ length: n }, (_, i) => {
    const r = parseMillraceLine(`2026-11-20T08:15:02.${String(i % 1000).padStart(3, '0')}Z shop ad_show user=u${i % 5000} ad=a${i % 40} slot=top`);
    if (!r.ok) throw new Error(r.error);
    return { value: r.event, ts: r.ms, key: headers.file, headers: { ...headers, line: String(i + 1) } };
  });
}

function cross(records: LogRecord[], batches: number, packed: boolean): CrossingCost {
  const { port1, port2 } = new MessageChannel();
  let send = 0;
  let receive = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    if (packed) {
      const p = packRecords(records);
      port1.postMessage(p, transferOf(p));
    } else port1.postMessage(records);
    const t1 = process.hrtime.bigint();
    const msg = receiveMessageOnPort(port2)?.message;
    const got = packed ? unpackRecords(msg) : (msg as LogRecord[]);
    const t2 = process.hrtime.bigint();
    if (got.length !== records.length) throw new Error(`received ${got.length} records of ${records.length}`);
    send += Number(t1 - t0);
    receive += Number(t2 - t1);
  }
  port1.close();
  const per = batches * records.length * 1000;
  return { sendUs: +(send / per).toFixed(3), receiveUs: +(receive / per).toFixed(3) };
}

/** Structured clone against packed transfer, for batches of parsed events (1000 a batch, as `split` gives). */
export function runPackedRecordsBench(rounds = 7, batchRecords = 1000, batches = 200): PackedRecordsBenchResult {
  const records = parsedBatch(batchRecords);
  cross(records, 50, false);
  cross(records, 50, true);
  const clone: CrossingCost[] = [];
  const packed: CrossingCost[] = [];
  for (let i = 0; i < rounds; i++) {
    clone.push(cross(records, batches, false));
    packed.push(cross(records, batches, true));
  }
  const med = (xs: CrossingCost[]): CrossingCost => ({ sendUs: median(xs.map((x) => x.sendUs)), receiveUs: median(xs.map((x) => x.receiveUs)) });
  const c = med(clone);
  const p = med(packed);
  return { batchRecords, rounds, clone: c, packed: p, receiveRatio: +(c.receiveUs / p.receiveUs).toFixed(2) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(runPackedRecordsBench(), null, 2));
