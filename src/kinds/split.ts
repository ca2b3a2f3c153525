import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import { payloadText, type LogRecord } from '../streams/record.js';
import { intHeader, payloadKind } from '../streams/derive.js';
import type { TextOrBytes } from '../core/text-or-bytes.js';

export const splitConfig = z
  .strictObject({
    maxLineBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024)
      .describe(
        'Longest line in UTF-8 bytes; longer lines are cut to it (at a character boundary) and flagged with header truncated=true.',
      ),
    skipEmpty: z
      .boolean()
      .default(true)
      .describe('Drop empty lines (they still count for line numbers).'),
  })
  .describe(
    "Splits text chunks into one record per line (LF or CRLF), numbered from the chunk's `firstLine` header. At-least-once; a redelivered chunk gives the same lines and numbers.",
  );

/**
 * `line` cut to at most `maxBytes` UTF-8 bytes without splitting a character.
 *
 * @example
 * truncateUtf8('héllo', 2); // 'h' ('é' takes two bytes and would not fit whole)
 */
export function truncateUtf8(line: string, maxBytes: number): string {
  let units = Math.min(line.length, maxBytes);
  const last = line.charCodeAt(units - 1);
  if (last >= 0xd800 && last <= 0xdbff) units -= 1;
  const buf = Buffer.from(line.slice(0, units), 'utf8');
  if (buf.length <= maxBytes) return line.slice(0, units);
  let end = maxBytes;
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end -= 1;
  return buf.subarray(0, end).toString('utf8');
}

/** Headers that describe a whole chunk and would be wrong on one of its lines. */
const CHUNK_HEADERS = new Set(['firstLine', 'replaced', 'truncated']);

/** The chunk's headers that hold for each of its lines, and `line` for each line to set. */
function lineHeaders(chunk: LogRecord): Record<string, TextOrBytes> {
  const out: Record<string, TextOrBytes> = {};
  for (const [name, value] of Object.entries(chunk.headers ?? {}))
    if (!CHUNK_HEADERS.has(name)) out[name] = value;
  out.line = '';
  return out;
}

function lineRecord(chunk: LogRecord, value: string, headers: Record<string, TextOrBytes>): LogRecord {
  const out: LogRecord = { value, ts: chunk.ts, headers };
  if (chunk.key !== undefined) out.key = chunk.key;
  if (chunk.stream !== undefined) out.stream = chunk.stream;
  return out;
}

function tooLong(line: string, maxBytes: number): boolean {
  if (line.length > maxBytes) return true;
  return line.length * 3 > maxBytes && Buffer.byteLength(line, 'utf8') > maxBytes;
}

/**
 * The `split` stage: one text chunk in (bytes are read as UTF-8), one record per line out with
 * header `line` = `firstLine` + index (1-based in the file, so `(file, line)` is a stable key
 * across redeliveries). LF and CRLF end lines; a last line without a terminator counts. A chunk
 * that `decompress` flagged truncated (the head of an over-long line) gives one truncated line.
 * Other headers carry over, except the chunk-wide `firstLine` and `replaced`.
 *
 * @example
 * // topology.yaml
 * // - id: split
 * //   kind: split
 * //   inputs: [transcode]
 * //   config: { maxLineBytes: 65536, skipEmpty: true }
 */
export const splitKind = defineStage({
  name: 'split',
  example: {},
  description: 'Splits text chunks into numbered lines.',
  config: splitConfig,
  create(config: z.output<typeof splitConfig>) {
    const counts = { chunks: 0, lines: 0, truncated: 0, skippedEmpty: 0 };
    return {
      process(batch) {
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          if (typeof record.value !== 'string' && !(record.value instanceof Uint8Array)) {
            dead.push({ record, reason: `split expects text, got ${payloadKind(record.value)}` });
            continue;
          }
          counts.chunks += 1;
          const text = payloadText(record.value);
          const first = intHeader(record, 'firstLine', 1);
          const chunkTruncated = record.headers?.truncated === 'true';
          const base = lineHeaders(record);
          const parts = text.split('\n');
          // Text ending with a line feed leaves an empty last part: not a line.
          const n =
            parts.length > 0 && parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
          for (let i = 0; i < n; i++) {
            let line = parts[i] as string;
            // A char code test: endsWith('\r') took about a quarter of this loop's time.
            if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
            if (line === '' && config.skipEmpty) {
              counts.skippedEmpty += 1;
              continue;
            }
            // V8 clones a spread object whole when the copy gets no new key, so `base` already
            // has `line`: faster than Object.assign, while a spread plus a new key is far slower.
            const headers: Record<string, TextOrBytes> = { ...base };
            headers.line = String(first + i);
            if (chunkTruncated || tooLong(line, config.maxLineBytes)) {
              line = truncateUtf8(line, config.maxLineBytes);
              headers.truncated = 'true';
              counts.truncated += 1;
            }
            counts.lines += 1;
            records.push(lineRecord(record, line, headers));
          }
        }
        return { records, dead };
      },
      status() {
        return { ...counts };
      },
    };
  },
});
