import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Files per zstd command line, well under the argument length limit. */
const BATCH = 200;
const RAW_BLOCK_MAX = 128 * 1024;

/** How the sample's `.zst` files were made. */
export type ZstdMaker = 'zstd-cli' | 'raw-blocks';

/**
 * Compresses each `path` to `path.zst` and removes `path`. Uses the `zstd` command (real
 * compression, one process per {@link BATCH} files) when it is installed; without it, writes
 * valid zstd frames made of raw (stored) blocks, as zstd itself does for incompressible data,
 * since no zstd compressor is available in-process.
 *
 * @example
 * await zstdFiles(['/tmp/s/part-1.log']); // → /tmp/s/part-1.log.zst
 */
export async function zstdFiles(paths: readonly string[]): Promise<ZstdMaker> {
  if (paths.length === 0) return 'zstd-cli';
  try {
    for (let i = 0; i < paths.length; i += BATCH) {
      await run('zstd', ['-q', '-f', '--rm', '-3', ...paths.slice(i, i + BATCH)]);
    }
    return 'zstd-cli';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const path of paths) {
    await writeFile(`${path}.zst`, rawZstdFrame(await readFile(path)));
    await rm(path);
  }
  return 'raw-blocks';
}

/** One zstd frame holding `data` in raw blocks: single segment, 4-byte content size, no checksum. */
export function rawZstdFrame(data: Uint8Array): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0]);
  header.writeUInt32LE(data.length, 5);
  const parts: Buffer[] = [header];
  let at = 0;
  do {
    const size = Math.min(RAW_BLOCK_MAX, data.length - at);
    const last = at + size >= data.length ? 1 : 0;
    const blockHeader = (size << 3) | last;
    parts.push(
      Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]),
      Buffer.from(data.subarray(at, at + size)),
    );
    at += size;
  } while (at < data.length);
  return Buffer.concat(parts);
}
