/** One line found by {@link LineSplitter}: its bytes (no LF, no CR) and where it ends in the input. */
export interface SplitLine {
  bytes: Buffer;
  /** Absolute offset just past the line's terminator. */
  end: number;
  /** The line was longer than the limit and was cut to it. */
  truncated: boolean;
}

/**
 * Splits a byte stream into lines at LF (a CR before it is dropped, so CRLF works), however the
 * stream is chunked: a line across chunk boundaries comes out once, whole. Works on bytes, so
 * offsets are exact; safe for UTF-8 and the GBK/Big5 family, whose bytes never contain 0x0A
 * except as a newline. A line longer than `maxLineBytes` is cut to that length and flagged (its
 * remaining bytes are skipped), so memory per splitter stays bounded by `maxLineBytes`.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overLimit = false;
  private offset: number;
  truncatedLines = 0;

  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
  ) {
    this.offset = startOffset;
  }

  /** Bytes consumed so far (absolute offset of the next byte). */
  get position(): number {
    return this.offset;
  }

  /** Feeds a chunk; returns the lines it completes. */
  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl === -1) break;
      const end = this.offset + nl + 1;
      if (this.pendingBytes === 0 && !this.overLimit && nl - from <= this.maxLineBytes) {
        lines.push(this.line(chunk.subarray(from, nl), end, false));
      } else {
        this.hold(chunk.subarray(from, nl));
        lines.push(this.flush(end));
      }
      from = nl + 1;
    }
    this.hold(chunk.subarray(from));
    this.offset += chunk.length;
    return lines;
  }

  /** Ends the stream: a last line without a terminator is returned too. */
  end(): SplitLine[] {
    if (this.pendingBytes === 0 && !this.overLimit) return [];
    return [this.flush(this.offset)];
  }

  private hold(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.maxLineBytes - this.pendingBytes;
    if (part.length > room) this.overLimit = true;
    const kept = part.length > room ? part.subarray(0, room) : part;
    if (kept.length === 0) return;
    this.pending.push(Buffer.from(kept));
    this.pendingBytes += kept.length;
  }

  private flush(end: number): SplitLine {
    const line = this.line(Buffer.concat(this.pending, this.pendingBytes), end, this.overLimit);
    this.pending = [];
    this.pendingBytes = 0;
    this.overLimit = false;
    return line;
  }

  private line(bytes: Buffer, end: number, truncated: boolean): SplitLine {
    if (truncated) {
      this.truncatedLines += 1;
      return { bytes, end, truncated };
    }
    const n = bytes.length;
    return { bytes: n > 0 && bytes[n - 1] === 13 ? bytes.subarray(0, n - 1) : bytes, end, truncated };
  }
}
