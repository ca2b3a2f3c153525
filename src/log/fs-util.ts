import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** fsync a directory so that entries created, renamed or removed in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces `file` with `data` atomically and durably: write a temp file,
 * fsync it, rename over the target, fsync the directory. A crash leaves
 * either the old or the new content, never a mix.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/** True for a Node.js system error with the given `code`. */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

const OFFSET_DIGITS = 20;

/** File name stem of a segment: the base offset zero-padded so names sort numerically. */
export function segmentStem(baseOffset: number): string {
  return String(baseOffset).padStart(OFFSET_DIGITS, '0');
}

/** Parses `<20 digits>.<ext>`; undefined for any other name. */
export function parseSegmentName(name: string, ext: string): number | undefined {
  const m = new RegExp(`^(\\d{${OFFSET_DIGITS}})\\.${ext}$`).exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
