import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Creates a fresh temp directory; returns it and a cleanup function. */
export async function tempDir(prefix = 'millrace-log-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic, cheap payload for record `i`: a fill byte derived from `i`, with `i` at both ends. */
export function payload(i: number, size: number): Uint8Array {
  const buf = Buffer.alloc(size, (i * 31 + 7) % 251);
  if (size >= 8) {
    buf.writeUInt32BE(i >>> 0, 0);
    buf.writeUInt32BE(i >>> 0, size - 4);
  }
  return buf;
}
