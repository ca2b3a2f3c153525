import { sniffUtf16 } from './utf16-sniff.js';

/** Text encodings a byte-order mark announces, named as in the `charset` header. */
export type BomCharset = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE';

/** One piece of a decompressed file, cut at a line end. */
export interface LineChunk {
  bytes: Uint8Array;
  /** 0-based position among the file's chunks. */
  index: number;
  /** 1-based number of the chunk's first line in the file. */
  firstLine: number;
  /**
   * The chunk is the first `chunkBytes` of a single longer line whose rest was skipped (up to
   * and including its line feed), so no chunk ever exceeds `chunkBytes`.
   */
  truncated: boolean;
}

/** The charset a byte-order mark at the start of `head` announces, if any. */
export function sniffBom(head: Uint8Array): BomCharset | undefined {
  const [a, b, c] = head;
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'UTF-8';
  if (a === 0xff && b === 0xfe) return 'UTF-16LE';
  if (a === 0xfe && b === 0xff) return 'UTF-16BE';
  return undefined;
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const LF_LE = Buffer.from([0x0a, 0x00]);
const LF_BE = Buffer.from([0x00, 0x0a]);

/**
 * Cuts a byte stream, pushed in pieces of any size, into chunks of at most `chunkBytes` that end
 * at a line feed, numbering each chunk's first line. In UTF-16 (known from a byte-order mark at
 * the start or, without one, from the NUL pattern of the start: {@link sniffUtf16}) only a
 * line-feed code unit at an even offset counts, so a chunk never splits a character. The chunks
 * depend only on the bytes, never on how they were pushed.
 *
 * @example
 * const chunker = new LineChunker(1 << 20);
 * for await (const piece of decoded) for (const c of chunker.push(piece)) emit(c);
 * for (const c of chunker.end()) emit(c);
 */
export class LineChunker {
  private pieces: Uint8Array[] = [];
  private held = 0;
  /** Absolute offset of the first held byte. */
  private start = 0;
  private nextIndex = 0;
  private nextLine = 1;
  /** Skipping the rest of an over-long line until its line feed. */
  private skipping = false;
  private bom: BomCharset | undefined;
  private sniffed = false;

  constructor(private readonly chunkBytes: number) {
    if (chunkBytes < 4) throw new RangeError(`chunkBytes must be at least 4, got ${chunkBytes}`);
  }

  /**
   * The charset the byte-order mark announced or, without one, UTF-16 that the NUL pattern of
   * the first chunk showed (known once the first chunk is out).
   */
  get charset(): BomCharset | undefined {
    return this.bom;
  }

  /** Bytes pushed so far. */
  get bytes(): number {
    return this.start + this.held;
  }

  /** Lines in the chunks emitted so far. */
  get lines(): number {
    return this.nextLine - 1;
  }

  /** Feeds decoded bytes; returns the chunks they complete. */
  push(piece: Uint8Array): LineChunk[] {
    if (piece.length === 0) return [];
    this.pieces.push(piece);
    this.held += piece.length;
    const out: LineChunk[] = [];
    for (;;) {
      if (this.skipping && !this.skipRestOfLine()) break;
      if (this.held < this.chunkBytes) break;
      out.push(this.cutFull());
    }
    return out;
  }

  /** Ends the stream: whatever is held goes out, the last chunk possibly without a line end. */
  end(): LineChunk[] {
    if (this.skipping) {
      // The over-long line ran to the end of the stream; nothing is held.
      this.skipping = false;
      this.nextLine += 1;
      return [];
    }
    const whole = this.take();
    return whole.length > 0 ? [this.emit(whole, whole.length, false)] : [];
  }

  /**
   * Ends a stream that broke off: the complete lines held go out, the partial line after the last
   * line feed is discarded.
   */
  endAtLastLine(): LineChunk[] {
    if (this.skipping) return [];
    const whole = this.take();
    const cut = this.lastLineEnd(whole, whole.length);
    return cut > 0 ? [this.emit(whole, cut, false)] : [];
  }

  /** Cuts a chunk from at least `chunkBytes` held bytes. */
  private cutFull(): LineChunk {
    const whole = this.take();
    const cut = this.lastLineEnd(whole, this.chunkBytes);
    if (cut > 0) return this.emit(whole, cut, false);
    // A line longer than a chunk: its first chunkBytes (whole code units) go out, the rest is skipped.
    const size = this.unit() === 2 ? this.chunkBytes & ~1 : this.chunkBytes;
    const chunk = this.emit(whole, size, true);
    this.skipping = true;
    return chunk;
  }

  /** Drops held bytes up to and including the skipped line's line feed; false if none is held yet. */
  private skipRestOfLine(): boolean {
    const whole = this.take();
    const end = this.lineEndFrom(view(whole), 0);
    if (end < 0) {
      this.drop(whole.length);
      return false;
    }
    this.skipping = false;
    this.nextLine += 1;
    this.drop(end);
    return true;
  }

  /** Joins the held pieces into one buffer, which stays held. */
  private take(): Uint8Array {
    if (this.pieces.length !== 1) this.pieces = [Buffer.concat(this.pieces, this.held)];
    const whole = this.pieces[0] as Uint8Array;
    if (!this.sniffed) {
      // Nothing was dropped before the first take: `whole` starts at the start of the stream.
      this.sniffed = true;
      this.bom = sniffBom(whole) ?? sniffUtf16(whole);
    }
    return whole;
  }

  private emit(whole: Uint8Array, size: number, truncated: boolean): LineChunk {
    const bytes = whole.subarray(0, size);
    const chunk: LineChunk = {
      bytes,
      index: this.nextIndex++,
      firstLine: this.nextLine,
      truncated,
    };
    if (!truncated) this.nextLine += this.countLines(bytes);
    this.drop(size);
    return chunk;
  }

  private drop(size: number): void {
    const whole = this.pieces[0];
    this.pieces = whole === undefined || size >= whole.length ? [] : [whole.subarray(size)];
    this.held -= size;
    this.start += size;
  }

  private unit(): 1 | 2 {
    return this.bom === 'UTF-16LE' || this.bom === 'UTF-16BE' ? 2 : 1;
  }

  /** Lines in a chunk: its line feeds, plus one for a last line without a line feed. */
  private countLines(bytes: Uint8Array): number {
    // One view for the whole chunk: a Buffer per line cost five times the search itself.
    const buf = view(bytes);
    let n = 0;
    let at = 0;
    for (let end = this.lineEndFrom(buf, 0); end > 0; end = this.lineEndFrom(buf, end)) {
      n += 1;
      at = end;
    }
    return at < bytes.length ? n + 1 : n;
  }

  /** Offset just past the first line feed at or after `from` in `buf` (held bytes), or -1. */
  private lineEndFrom(buf: Buffer, from: number): number {
    if (this.unit() === 1) {
      const i = buf.indexOf(0x0a, from);
      return i < 0 ? -1 : i + 1;
    }
    const lf = this.bom === 'UTF-16LE' ? LF_LE : LF_BE;
    for (let i = buf.indexOf(lf, from); i >= 0; i = buf.indexOf(lf, i + 1)) {
      if ((this.start + i) % 2 === 0) return i + 2;
    }
    return -1;
  }

  /** Offset just past the last line feed that ends within the first `limit` bytes, or 0. */
  private lastLineEnd(bytes: Uint8Array, limit: number): number {
    const buf = view(bytes);
    if (this.unit() === 1) return buf.lastIndexOf(0x0a, limit - 1) + 1;
    const lf = this.bom === 'UTF-16LE' ? LF_LE : LF_BE;
    for (
      let i = buf.lastIndexOf(lf, limit - 2);
      i >= 0;
      i = i > 0 ? buf.lastIndexOf(lf, i - 1) : -1
    ) {
      if ((this.start + i) % 2 === 0) return i + 2;
    }
    return 0;
  }
}
