import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import type { DeadRecord, StageOutput } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import type { LogRecord } from '../streams/record.js';
import { codecs, decodeStream, detectCodec, type Codec } from '../formats/codecs.js';
import { LineChunker, type LineChunk } from '../formats/line-chunker.js';
import { derive, payloadKind } from '../streams/derive.js';

export const decompressConfig = z
  .strictObject({
    codec: z
      .enum(['auto', ...codecs])
      .default('auto')
      .describe(
        'auto: by magic bytes (gzip 1f 8b, LZ4 frame 04 22 4d 18, zstd 28 b5 2f fd, anything else uncompressed); or force one codec.',
      ),
    chunkBytes: z
      .number()
      .int()
      .min(16)
      .default(128 * 1024)
      .describe(
        'Largest decompressed chunk; chunks are cut at the last line end that fits. Bounds the memory a replica holds per file. Small enough that the lines of a chunk fit in one batch downstream: 1 MiB chunks (12k lines waiting at once in split\'s output) cost 3x the GC time in the pipeline benchmark.',
      ),
  })
  .describe(
    'Streams each file record (compressed bytes) through its codec and emits chunks cut at line ends, numbered with their first line. At-least-once: a crash midway redelivers the file and its chunks come again, identical.',
  );

/** Live counts of one replica, for the inspector. */
interface DecompressCounts {
  files: number;
  chunks: number;
  bytesOut: number;
  damaged: number;
}

/**
 * The `decompress` stage: one record per file in, chunks of at most `chunkBytes` out, each cut at
 * a line end (in UTF-16, announced by a BOM or its NUL pattern, at a line-feed code unit) with headers `chunk`,
 * `firstLine`, `compression` and, when a BOM or the NUL pattern told it, `charset`. Pieces go downstream one
 * chunk at a time under backpressure, so a replica holds about one chunk plus codec buffers.
 *
 * A damaged or truncated file does not crash the replica (a redelivery would fail the same way):
 * every complete line decoded before the damage goes out, then one dead record for the file, with
 * an empty value, the input's headers plus `compression` and `offset`, and a reason naming the
 * codec error and the decompressed byte offset reached. Damage is found where the format can find
 * it: in gzip by the deflate structure or, at the latest, each member's CRC-32; in LZ4 by block
 * checksums (content checksums only at the frame's end; frames without either are not checked);
 * in zstd by the block structure and, at each frame's end, its content checksum when it has one
 * (the zstd tool writes one by default). Lines decoded before it was found are delivered.
 *
 * @example
 * // topology.yaml
 * // - id: decompress
 * //   kind: decompress
 * //   inputs: [hdfs]
 * //   replicas: 2
 * //   config: { chunkBytes: 131072 }
 */
export const decompressKind = defineStage({
  name: 'decompress',
  example: {},
  description: 'Decompresses files (gzip, LZ4 frame, zstd) into line-aligned chunks.',
  config: decompressConfig,
  create(config: z.output<typeof decompressConfig>) {
    const counts: DecompressCounts = { files: 0, chunks: 0, bytesOut: 0, damaged: 0 };
    return {
      process(batch) {
        return (async function* (): AsyncGenerator<StageOutput> {
          for (const record of batch.records) yield* decompressFile(record, config, counts);
        })();
      },
      status() {
        return { ...counts };
      },
    };
  },
});

async function* decompressFile(
  record: LogRecord,
  config: z.output<typeof decompressConfig>,
  counts: DecompressCounts,
): AsyncGenerator<StageOutput> {
  const input = record.value;
  if (!(input instanceof Uint8Array)) {
    yield {
      records: [],
      dead: [{ record, reason: `decompress expects a file's bytes, got ${payloadKind(input)}` }],
    };
    return;
  }
  counts.files += 1;
  const codec: Codec = config.codec === 'auto' ? detectCodec(input) : config.codec;
  const chunker = new LineChunker(config.chunkBytes);
  const toRecord = (chunk: LineChunk): LogRecord => {
    counts.chunks += 1;
    counts.bytesOut += chunk.bytes.length;
    const headers: Record<string, string> = {
      chunk: String(chunk.index),
      firstLine: String(chunk.firstLine),
      compression: codec,
    };
    if (chunker.charset !== undefined) headers.charset = chunker.charset;
    if (chunk.truncated) headers.truncated = 'true';
    return derive(record, chunk.bytes, headers);
  };
  let failure: unknown;
  try {
    for await (const piece of decodeStream(codec, input, config.chunkBytes)) {
      for (const chunk of chunker.push(piece)) yield { records: [toRecord(chunk)] };
    }
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) {
    for (const chunk of chunker.end()) yield { records: [toRecord(chunk)] };
    return;
  }
  counts.damaged += 1;
  const reached = chunker.bytes;
  const records = chunker.endAtLastLine().map(toRecord);
  const dead: DeadRecord = {
    record: derive(record, new Uint8Array(0), { compression: codec, offset: String(reached) }),
    reason: `${codec} error at decompressed byte ${reached} (${chunker.lines} lines delivered before it): ${errorMessage(failure)}`,
  };
  yield { records, dead: [dead] };
}
