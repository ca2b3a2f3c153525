import type { ColumnType } from './config.js';
import type { Cell } from './rows.js';

/**
 * One column of a file, laid out as Arrow keeps it: what {@link ColumnBuilder} hands to the
 * encoder thread, by transfer (no copy, no clone).
 */
export interface ColumnData {
  type: ColumnType;
  length: number;
  nullCount: number;
  /** Validity bitmap (bit set: a value); absent when no value is null. */
  validity?: Uint8Array;
  /** string: where each value starts in `values` (length + 1 offsets). */
  offsets?: Int32Array;
  /** string: UTF-8 bytes; int64 and timestamp (ms): 64-bit integers; double: floats; boolean: a bitmap. */
  values: Uint8Array | BigInt64Array | Float64Array;
}

/** Largest byte length of one string column: Arrow's Utf8 offsets are 32-bit. */
const MAX_STRING_BYTES = 2 ** 31 - 1;

/** A copy of `array` with room for `needed` elements (called only when it has less). */
function grown<T extends Uint8Array | Int32Array | BigInt64Array | Float64Array>(array: T, needed: number, make: (n: number) => T): T {
  const next = make(Math.max(needed, array.length * 2));
  next.set(array as never);
  return next;
}

const bytesOf = (n: number): Uint8Array => new Uint8Array(n);
const int32sOf = (n: number): Int32Array => new Int32Array(n);
const int64sOf = (n: number): BigInt64Array => new BigInt64Array(n);
const float64sOf = (n: number): Float64Array => new Float64Array(n);

function setBit(bitmap: Uint8Array, i: number): void {
  bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
}

/**
 * Builds one column row by row, straight into Arrow's buffers: strings are written as UTF-8 as
 * they arrive, numbers into typed arrays. The encoder thread then wraps the buffers as Arrow
 * vectors instead of building them from JS values, and nothing is cloned on the way there (the
 * cloned cell arrays were a quarter of that thread's time, in its garbage collector).
 */
export class ColumnBuilder {
  private length = 0;
  private nullCount = 0;
  private validity: Uint8Array = new Uint8Array(64);
  /** Only what the type uses is given room: offsets and bytes for strings, bytes for booleans, numbers for the rest. */
  private offsets: Int32Array;
  private bytes: Uint8Array;
  /** A Buffer view of `bytes`, for its UTF-8 `write`. */
  private writer: Buffer;
  private used = 0;
  private numbers: BigInt64Array | Float64Array;

  constructor(readonly type: ColumnType) {
    this.offsets = new Int32Array(type === 'string' ? 256 : 0);
    this.bytes = new Uint8Array(type === 'string' ? 4096 : type === 'boolean' ? 64 : 0);
    this.writer = Buffer.from(this.bytes.buffer);
    this.numbers = type === 'double' ? new Float64Array(256) : new BigInt64Array(type === 'int64' || type === 'timestamp' ? 256 : 0);
  }

  /** Appends a cell of this column's type (as RowReader makes it), or null. */
  push(cell: Cell): void {
    const i = this.length;
    if (i >> 3 >= this.validity.length) this.validity = grown(this.validity, (i >> 3) + 1, bytesOf);
    if (cell === null) this.nullCount += 1;
    else setBit(this.validity, i);
    switch (this.type) {
      case 'string':
        this.pushString(i, cell === null ? '' : (cell as string));
        break;
      case 'boolean':
        // The values bitmap: grown with the validity bitmap, so one index serves both.
        if (this.bytes.length < this.validity.length) this.bytes = grown(this.bytes, this.validity.length, bytesOf);
        if (cell === true) setBit(this.bytes, i);
        break;
      case 'double':
        if (i >= this.numbers.length) this.numbers = grown(this.numbers as Float64Array, i + 1, float64sOf);
        (this.numbers as Float64Array)[i] = cell === null ? 0 : (cell as number);
        break;
      default:
        if (i >= this.numbers.length) this.numbers = grown(this.numbers as BigInt64Array, i + 1, int64sOf);
        (this.numbers as BigInt64Array)[i] = cell === null ? 0n : typeof cell === 'bigint' ? cell : BigInt(cell as number);
    }
    this.length = i + 1;
  }

  private pushString(i: number, value: string): void {
    if (i + 2 > this.offsets.length) this.offsets = grown(this.offsets, i + 2, int32sOf);
    // At most 3 bytes per UTF-16 unit (a lone surrogate becomes U+FFFD, as TextEncoder does).
    let most = this.used + value.length * 3;
    if (most > this.bytes.length) {
      if (most > MAX_STRING_BYTES) most = this.used + Buffer.byteLength(value, 'utf8');
      if (most > MAX_STRING_BYTES) throw new Error(`a string column of one file would exceed ${MAX_STRING_BYTES} bytes: lower commit.fileBytes`);
      this.bytes = grown(this.bytes, most, (n) => new Uint8Array(Math.min(n, MAX_STRING_BYTES)));
      this.writer = Buffer.from(this.bytes.buffer);
    }
    this.used += this.writer.write(value, this.used, 'utf8');
    this.offsets[i + 1] = this.used;
  }

  /** The column's buffers, trimmed to its rows; the builder is spent. */
  finish(): ColumnData {
    const n = this.length;
    const validity = this.nullCount > 0 ? this.validity.subarray(0, (n + 7) >> 3) : undefined;
    const base = { type: this.type, length: n, nullCount: this.nullCount, ...(validity === undefined ? {} : { validity }) };
    switch (this.type) {
      case 'string':
        return { ...base, offsets: this.offsets.subarray(0, n + 1), values: this.bytes.subarray(0, this.used) };
      case 'boolean':
        return { ...base, values: this.bytes.subarray(0, (n + 7) >> 3) };
      default:
        return { ...base, values: this.numbers.subarray(0, n) };
    }
  }
}

/** The memory of `columns`, to transfer with them. */
export function transferList(columns: readonly ColumnData[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const c of columns) for (const a of [c.validity, c.offsets, c.values]) if (a !== undefined) buffers.add(a.buffer as ArrayBuffer);
  return [...buffers];
}
