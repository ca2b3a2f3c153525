import * as arrow from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, readParquet, writeParquet } from 'parquet-wasm/node';
import type { ColumnConfig } from './config.js';
import type { ColumnData } from './column-builder.js';

/*
 * Parquet through parquet-wasm (the Rust `parquet` crate) from Apache Arrow columns: of the
 * writers measured on Node 20 it was the fastest (bench/results/hive-parquet-libraries.md).
 */

const codecs = { snappy: Compression.SNAPPY, zstd: Compression.ZSTD } as const;
export type Codec = keyof typeof codecs;

/** Rows per row group: large enough for good compression, small enough for readers to skip. */
const ROW_GROUP = 128 * 1024;

function properties(codec: Codec): ReturnType<WriterPropertiesBuilder['build']> {
  return new WriterPropertiesBuilder().setCompression(codecs[codec]).setMaxRowGroupSize(ROW_GROUP).setCreatedBy('millrace hive sink').build();
}

/** `table` as a Parquet file (through Arrow IPC into parquet-wasm). */
export function tableToParquet(table: arrow.Table, codec: Codec): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties(codec));
}

/** Arrow's vector over a column's buffers (no copy). */
function vectorOf(column: ColumnData): arrow.Vector {
  const common = { length: column.length, nullCount: column.nullCount, nullBitmap: column.validity ?? null };
  switch (column.type) {
    case 'string':
      return arrow.makeVector(arrow.makeData({ ...common, type: new arrow.Utf8(), valueOffsets: column.offsets as Int32Array, data: column.values as Uint8Array }));
    case 'boolean':
      return arrow.makeVector(arrow.makeData({ ...common, type: new arrow.Bool(), data: column.values as Uint8Array }));
    case 'double':
      return arrow.makeVector(arrow.makeData({ ...common, type: new arrow.Float64(), data: column.values as Float64Array }));
    case 'int64':
      return arrow.makeVector(arrow.makeData({ ...common, type: new arrow.Int64(), data: column.values as BigInt64Array }));
    case 'timestamp':
      return arrow.makeVector(arrow.makeData({ ...common, type: new arrow.TimestampMillisecond('UTC'), data: column.values as BigInt64Array }));
  }
}

/** A Parquet file of `columns` (configs) holding `data` (their built columns, equal lengths). */
export function encodeParquet(columns: readonly ColumnConfig[], data: readonly ColumnData[], codec: Codec): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  columns.forEach((c, i) => {
    vectors[c.name] = vectorOf(data[i] as ColumnData);
  });
  return tableToParquet(new arrow.Table(vectors), codec);
}

/** One Parquet file holding the rows of `files` (same schema), in order. */
export function mergeParquet(files: readonly Uint8Array[], codec: Codec): Uint8Array {
  const tables = files.map((f) => arrow.tableFromIPC(readParquet(f).intoIPCStream()));
  const merged = (tables[0] as arrow.Table).concat(...tables.slice(1));
  return tableToParquet(merged, codec);
}
