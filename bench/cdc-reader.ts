/**
 * The millrace side of the cdc benchmark's throughput rounds, as a process of its own (so its
 * CPU is measured as Debezium's is): the binlog source from a given position, reading batches
 * and committing each as the runtime would, until `count` row changes came. Prints one JSON line
 * as DebeziumCount does: events, ms and process CPU seconds from the first change to the last.
 *
 *   node --import tsx bench/cdc-reader.ts <url> <db.table> <count> <file> <pos> <gtid>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { SourceIO } from '../src/actors/io.js';
import { SharedResources } from '../src/core/shared-resources.js';
import type { BinlogPosition } from '../src/cdc/position.js';
import { binlogSourceKind } from '../src/kinds/binlog/source.js';
import { FileCheckpoint } from '../src/runtime/checkpoint.js';

const [url, table, countText, file, pos, gtid] = process.argv.slice(2) as [string, string, string, string, string, string];
const count = Number(countText);
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-cdc-'));
const checkpoint = new FileCheckpoint(join(dir, 'cdc.checkpoint.json'), 1000);
checkpoint.set({ file, pos: Number(pos), gtid });
await checkpoint.flush();
const ctx = {
  id: 'cdc', replica: 0, replicas: 1, log: pino({ level: 'warn' }), baseDir: dir, stateDir: dir, checkpoint,
  signal: new AbortController().signal, transport: { type: 'embedded' as const, dir }, consumers: ['next'], shared: new SharedResources().acquire,
};
const io = (await binlogSourceKind.create(binlogSourceKind.config.parse({ url, tables: [table], serverId: 65000 + (process.pid % 800) }), ctx)) as SourceIO<BinlogPosition>;
await io.connect();
let events = 0;
let first: { ms: number; cpu: number } | undefined;
while (events < count) {
  const read = await io.read();
  first ??= { ms: performance.now(), cpu: cpuSeconds() };
  events += read.records.length;
  await io.commit(read.position);
}
const result = { events, ms: performance.now() - (first?.ms ?? 0), cpuSeconds: cpuSeconds() - (first?.cpu ?? 0), totalCpuSeconds: cpuSeconds() };
process.stdout.write(JSON.stringify(result) + '\n');
await io.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
