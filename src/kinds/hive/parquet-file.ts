import * as arrow from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, readParquet, writeParquet } from 'parquet-wasm/node';
import type { ColumnConfig, ColumnType } from './config.js';
import type { Cell } from './rows.js';

/**
 * Parquet through parquet-wasm (the Rust `parquet` crate) from Apache Arrow columns: of the
 * writers measured on Node 20 it was the fastest (bench/results/hive-parquet-libraries.md).
 */
const arrowTypes: Record<ColumnType, () => arrow.DataType> = {
  string: () => new arrow.Utf8(),
  int64: () => new arrow.Int64(),
  double: () => new arrow.Float64(),
  boolean: () => new arrow.Bool(),
  timestamp: () => new arrow.TimestampMillisecond('UTC'),
};

const codecs = { snappy: Compression.SNAPPY, zstd: Compression.ZSTD } as const;
export type Codec = keyof typeof codecs;

/** Rows per row group: large enough for good compression, small enough for readers to skip. */
const ROW_GROUP = 128 * 1024;

function properties(codec: Codec): ReturnType<WriterPropertiesBuilder['build']> {
  return new WriterPropertiesBuilder().setCompression(codecs[codec]).setMaxRowGroupSize(ROW_GROUP).setCreatedBy('millrace hive sink').build();
}

function toParquet(table: arrow.Table, codec: Codec): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties(codec));
}

/** A Parquet file of `columns` holding `data` (one array of cells per column, equal lengths). */
export function encodeParquet(columns: readonly ColumnConfig[], data: readonly Cell[][], codec: Codec): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  columns.forEach((c, i) => {
    vectors[c.name] = arrow.vectorFromArray(data[i] as Cell[], arrowTypes[c.type]());
  });
  return toParquet(new arrow.Table(vectors), codec);
}

/** One Parquet file holding the rows of `files` (same schema), in order. */
export function mergeParquet(files: readonly Uint8Array[], codec: Codec): Uint8Array {
  const tables = files.map((f) => arrow.tableFromIPC(readParquet(f).intoIPCStream()));
  const merged = (tables[0] as arrow.Table).concat(...tables.slice(1));
  return toParquet(merged, codec);
}
