import { join } from 'node:path';
import { defineSink } from '../../actors/kind.js';
import { openWritableStore } from '../../stores/open-store.js';
import { hiveSinkConfig, type HiveSinkConfig } from './config.js';
import { HiveTable } from './hive-table.js';

export const hiveSinkKind = defineSink({
  name: 'hive',
  example: {
    backend: { type: 'local', dir: 'warehouse' },
    table: 'events',
    columns: [
      { name: 'seq', type: 'int64', required: true },
      { name: 'message', type: 'string' },
    ],
  },
  description: 'Writes records as Parquet files in a Hive layout (dt=/hour= partitions) on a local directory or HDFS; exactly-once, partition commit with _SUCCESS, compaction.',
  config: hiveSinkConfig,
  delivery: {
    guarantee: 'exactly-once',
    detail:
      'Across process crashes (kill -9) for records whose source gives positions (the kafka source, the file source in tail mode, the link source), straight or through stages: a file becomes visible by a rename after the state recording its source ranges is saved, and a batch is acknowledged only then; records replayed after a crash that are already in visible files are skipped. Records from sources without positions (generator, hdfs) may be written again after a crash (at-least-once). Records for an already committed partition are dead-lettered as late. One sink (one replica) per table and state directory.',
  },
  replicasFor: () => 1,
  create(config: HiveSinkConfig, ctx) {
    let table: HiveTable | undefined;
    return {
      // One commit being written while the next one fills.
      writesInFlight: 2 * config.commit.maxBatches,
      async connect() {
        table ??= await HiveTable.open({ config, store: openWritableStore(config.backend, ctx.baseDir), stateFile: join(ctx.stateDir, 'hive-sink.json'), log: ctx.log, signal: ctx.signal });
      },
      write(batch) {
        if (table === undefined) return Promise.reject(new Error(`hive sink ${config.table} is not open`));
        return table.write(batch);
      },
      status: () => table?.status() ?? {},
      async close() {
        const t = table;
        table = undefined;
        await t?.close();
      },
    };
  },
});
