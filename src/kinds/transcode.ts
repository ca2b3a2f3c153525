import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import type { LogRecord } from '../streams/record.js';
import { isUtf8 } from 'node:buffer';
import { canonicalCharset, charsetNames, decodeText, detectCharset, stripBom, type Decoded } from '../formats/charsets.js';
import { derive, intHeader, payloadKind } from '../streams/derive.js';
import { sniffUtf16 } from '../formats/utf16-sniff.js';
import { textOf } from '../core/text-or-bytes.js';

export const transcodeConfig = z
  .strictObject({
    charset: z
      .enum(charsetNames)
      .default('auto')
      .describe(
        'Charset of the input bytes. auto: the `charset` header (set by decompress from a BOM or the NUL pattern of UTF-16), else UTF-16 by its NUL pattern (ASCII-range text without a BOM), else UTF-8 for valid UTF-8, else detected once per file (on its first chunk that needs it), falling back to UTF-8.',
      ),
    candidates: z
      .array(z.string().min(1))
      .min(1)
      .default(['utf-8', 'gb18030', 'big5', 'windows-1252', 'iso-8859-1'])
      .describe(
        'Encodings auto detection chooses among (chardet names): a short list is faster and far more reliable on log lines than every encoding chardet knows.',
      ),
  })
  .describe(
    'Decodes byte chunks to UTF-8 text, strips a BOM at the start of a file, and counts the replacement characters invalid bytes turn into. At-least-once; a redelivered chunk decodes the same.',
  );

/** Files whose charset was detected, remembered for their later chunks; the oldest go first. */
const REMEMBERED_FILES = 1024;

/**
 * The charsets detected per file (by the `file` header): a later chunk of a file that is not
 * valid UTF-8 takes the charset detected on an earlier one instead of running detection again,
 * which costs more than decoding (a file has one encoding). Chunk 0 always detects afresh.
 */
class DetectedCharsets {
  private readonly byFile = new Map<string, string>();

  charsetOf(file: string | undefined, chunk: number, detect: () => string): string {
    const known = file === undefined || chunk === 0 ? undefined : this.byFile.get(file);
    if (known !== undefined) return known;
    const charset = detect();
    if (file === undefined) return charset;
    this.byFile.delete(file);
    this.byFile.set(file, charset);
    if (this.byFile.size > REMEMBERED_FILES) this.byFile.delete(this.byFile.keys().next().value as string);
    return charset;
  }
}

/**
 * The `transcode` stage: bytes → text. The charset is the configured one or, with `auto`, the
 * `charset` header a BOM set, else UTF-8 for a chunk that is valid UTF-8, else detected (see
 * {@link detectCharset}) on the file's first such chunk and reused for its later ones. Invalid
 * sequences become U+FFFD: counted in header `replaced` (when > 0) and in `status()`, never
 * dead-lettered. Output header `charset` names the charset used. Text values pass unchanged.
 *
 * @example
 * // topology.yaml
 * // - id: transcode
 * //   kind: transcode
 * //   inputs: [decompress]
 * //   config: { charset: auto }
 */
export const transcodeKind = defineStage({
  name: 'transcode',
  example: {},
  description: 'Decodes bytes in any supported charset to UTF-8 text.',
  config: transcodeConfig,
  create(config: z.output<typeof transcodeConfig>) {
    const fixed = config.charset === 'auto' ? undefined : config.charset;
    const counts = { records: 0, replaced: 0, recordsWithReplacements: 0 };
    const detected = new DetectedCharsets();
    const charsets: Record<string, number> = {};
    return {
      process(batch) {
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          const value = record.value;
          if (typeof value === 'string') {
            records.push(record);
            continue;
          }
          if (!(value instanceof Uint8Array)) {
            dead.push({
              record,
              reason: `transcode expects bytes or text, got ${payloadKind(value)}`,
            });
            continue;
          }
          const declaredHeader = record.headers?.charset;
          const declared = declaredHeader === undefined ? undefined : textOf(declaredHeader);
          const chunk = intHeader(record, 'chunk', 0);
          let charset = fixed ?? (declared !== undefined ? canonicalCharset(declared) : undefined);
          let decoded: Decoded | undefined;
          if (charset === undefined) {
            const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
            const utf16 = sniffUtf16(bytes);
            if (utf16 !== undefined) {
              // ASCII-range UTF-16 is valid UTF-8 too (NUL is a character): its NUL pattern goes first.
              charset = canonicalCharset(utf16) as string;
            } else if (isUtf8(bytes)) {
              // Valid UTF-8 is UTF-8: decoded once, without validating it again.
              charset = 'utf-8';
              decoded = { text: bytes.toString('utf8'), replaced: 0 };
            } else {
              charset = detected.charsetOf(fileHeader(record), chunk, () => detectCharset(value, config.candidates));
            }
          }
          decoded ??= decodeText(value, charset);
          const firstOfFile = chunk === 0;
          const headers: Record<string, string> = { charset };
          if (decoded.replaced > 0) {
            headers.replaced = String(decoded.replaced);
            counts.replaced += decoded.replaced;
            counts.recordsWithReplacements += 1;
          }
          counts.records += 1;
          charsets[charset] = (charsets[charset] ?? 0) + 1;
          records.push(
            derive(record, firstOfFile ? stripBom(decoded.text) : decoded.text, headers),
          );
        }
        return { records, dead };
      },
      status() {
        return { ...counts, charsets: { ...charsets } };
      },
    };
  },
});

function fileHeader(record: LogRecord): string | undefined {
  const file = record.headers?.file;
  return file === undefined ? undefined : textOf(file);
}
