import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const allocator = fileURLToPath(new URL('../../src/core/native-allocator.ts', import.meta.url));

/**
 * In a fresh process that loads the allocator settings first, as the command line does: holds
 * 100 LZ4 frames of 1 MiB of random bytes (lz4-napi allocates them with its mimalloc), frees
 * them, and prints how much of that RSS went back to the system.
 */
const script = `
import { randomBytes } from 'node:crypto';
const { compressFrameSync } = await import('lz4-napi');
const rss = () => process.memoryUsage().rss / 2 ** 20;
let held = Array.from({ length: 100 }, () => compressFrameSync(randomBytes(1 << 20)));
const peak = rss();
held = null;
for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); compressFrameSync(Buffer.from('x')); }
console.log(JSON.stringify({ returnedMB: Math.round(peak - rss()) }));
`;

async function returnedMB(env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', allocator, '--input-type=module', '-e', script], { env, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  return (JSON.parse(stdout) as { returnedMB: number }).returnedMB;
}

describe('native allocator settings', () => {
  it('returns the memory of freed LZ4 buffers to the system at once, unless the user chose a purge delay', async () => {
    const env = { ...process.env };
    delete env['MIMALLOC_PURGE_DELAY'];
    const ours = await returnedMB(env);
    const users = await returnedMB({ ...env, MIMALLOC_PURGE_DELAY: '100000' });
    expect(ours, `returned ${ours} MB with the default, ${users} MB with the user's long delay`).toBeGreaterThan(60);
    expect(users).toBeLessThan(30);
  }, 60_000);
});
