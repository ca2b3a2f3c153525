import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';

/** Whether something accepts connections on the unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Listens on the unix socket `path` with file mode `mode`. A socket file nobody answers on (left
 * by a killed agent) is removed first; a live one, or another kind of file, is an error that says so.
 */
export async function listenUnix(server: net.Server, path: string, mode: number): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isSocket()) throw new Error(`socket source: ${path} exists and is not a socket; remove it or choose another path`);
    if (await answers(path)) throw new Error(`socket source: another process listens on ${path}; stop it or choose another path`);
    await unlink(path);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, mode);
}
