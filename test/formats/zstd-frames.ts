import { execFileSync, spawnSync } from 'node:child_process';
import { xxh64 } from '../../src/formats/xxh64.js';
import { rawZstdFrame } from '../../src/sample/zstd.js';

export const hasZstd = spawnSync('zstd', ['--version']).status === 0;

/** `data` compressed by the zstd tool, which stores a content checksum unless told `--no-check`. */
export function zstdTool(data: Uint8Array, ...args: string[]): Buffer {
  return execFileSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 26 });
}

/**
 * A hand-built zstd frame with a content checksum: rawZstdFrame's raw blocks, the checksum flag
 * set in the frame header descriptor and the low 32 bits of the content's XXH64 appended.
 */
export function checkedRawFrame(data: Uint8Array): Buffer {
  const frame = rawZstdFrame(data);
  frame[4] = (frame[4] as number) | 0x04;
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE(Number(xxh64(data) & 0xffffffffn));
  return Buffer.concat([frame, checksum]);
}

/** A copy of `bytes` with the byte at `at` flipped by `mask`. */
export function flipped(bytes: Uint8Array, at: number, mask = 0x20): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] as number) ^ mask;
  return copy;
}
