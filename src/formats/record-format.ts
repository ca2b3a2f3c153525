import { z } from 'zod';
import { payloadText, type LogRecord } from '../streams/record.js';
import { headersText, textOf } from '../core/text-or-bytes.js';

export const recordFormatSchema = z
  .enum(['jsonl', 'lines'])
  .default('jsonl')
  .describe('jsonl: one JSON object per record ({value, key, stream, ts, headers}); lines: the value as text, one per line.');
export type RecordFormat = z.infer<typeof recordFormatSchema>;

/** Serialises a batch of records as text, one line each. */
export function formatRecords(records: readonly LogRecord[], format: RecordFormat): string {
  let out = '';
  for (const r of records) {
    if (format === 'lines') {
      out += payloadText(r.value) + '\n';
      continue;
    }
    const value = typeof r.value === 'string' || r.value instanceof Uint8Array ? payloadText(r.value) : r.value;
    // Bytes keys and headers are written as text, like byte values (invalid UTF-8 becomes U+FFFD).
    const key = r.key === undefined ? undefined : textOf(r.key);
    const headers = r.headers === undefined ? undefined : headersText(r.headers);
    out += JSON.stringify({ value, key, stream: r.stream, ts: r.ts, headers }) + '\n';
  }
  return out;
}
