import { createHash } from 'node:crypto';
import { stat, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';

/** Bytes of a file's start hashed into its {@link Fingerprint} `head`. */
export const HEAD_BYTES = 256;
/** Bytes just before a position hashed into its `mark`. */
export const MARK_BYTES = 64;

/** A hash of some bytes and how many bytes it covers. */
export interface Fingerprint {
  len: number;
  hash: string;
}

/** The fingerprint of nothing: matches any file. */
export const EMPTY_FINGERPRINT: Fingerprint = { len: 0, hash: '' };

/** Short hash of `bytes` (hex, 64 bits of SHA-1: enough to tell files apart, not a security measure). */
export function fingerprintOf(bytes: Uint8Array): Fingerprint {
  if (bytes.length === 0) return EMPTY_FINGERPRINT;
  return { len: bytes.length, hash: createHash('sha1').update(bytes).digest('hex').slice(0, 16) };
}

/**
 * A file's identity, `device:inode`, exact for 64-bit inode numbers. A renamed file keeps it; a
 * file created anew at the same path gets another one.
 */
export function identityKey(s: Pick<BigIntStats, 'dev' | 'ino'>): string {
  return `${s.dev}:${s.ino}`;
}

/** Stats of `path` (bigint, following symlinks), or undefined when nothing is there. */
export async function statPath(path: string): Promise<BigIntStats | undefined> {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** True for the errors that mean "no such file" (ENOENT, ENOTDIR). */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** The head fingerprint of an open file: its first {@link HEAD_BYTES} bytes (fewer if shorter). */
export async function headOf(handle: FileHandle): Promise<Fingerprint> {
  return fingerprintOf(await readAt(handle, 0, HEAD_BYTES));
}

/**
 * Whether an open file still holds the bytes a fingerprint was taken of: the `head` at its start
 * and the `mark` just before `offset`. A file that fails is another file (a reused inode) or was
 * truncated and rewritten.
 */
export async function holds(handle: FileHandle, head: Fingerprint, offset: number, mark: Fingerprint): Promise<boolean> {
  if (head.len > 0 && fingerprintOf(await readAt(handle, 0, head.len)).hash !== head.hash) return false;
  if (mark.len === 0) return true;
  const bytes = await readAt(handle, offset - mark.len, mark.len);
  return bytes.length === mark.len && fingerprintOf(bytes).hash === mark.hash;
}
