import kafkajs from 'kafkajs';
import { compressFrame, decompressFrame } from 'lz4-napi';

/**
 * Kafka's LZ4 codec (record batch attribute 3) is the standard LZ4 *frame* format (magic
 * 0x184D2204, independent blocks), the same that lz4-napi's frame functions write and read, so
 * records millrace compresses are readable by the Java clients and vice versa.
 */
export const lz4Codec = {
  /** kafkajs hands the codec its encoder; `buffer` holds the uncompressed records. */
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    return compressFrame(encoder.buffer);
  },
  async decompress(buffer: Buffer): Promise<Buffer> {
    return decompressFrame(buffer);
  },
};

/**
 * Registers {@link lz4Codec} with kafkajs (process-wide; kafkajs ships without LZ4). Idempotent.
 *
 * @example
 * registerLz4();
 * await producer.send({ topic, messages, compression: CompressionTypes.LZ4 });
 */
export function registerLz4(): void {
  kafkajs.CompressionCodecs[kafkajs.CompressionTypes.LZ4] = () => lz4Codec;
}
