import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { unixDgramSocket, type UnixDgramSocket } from './unix-dgram.js';

/** Whether something accepts connections on the unix stream socket at `path`. */
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

/** Whether a datagram socket is bound at `path` (connecting to a dead one is refused). */
function receives(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = unixDgramSocket();
    probe.on('error', () => {
      probe.close();
      resolve(false);
    });
    probe.on('connect', () => {
      probe.close();
      resolve(true);
    });
    probe.connect(path);
  });
}

/** Removes a socket file nobody answers on; throws for a live one or another kind of file. */
async function clearStale(path: string, live: (path: string) => Promise<boolean>): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) throw new Error(`socket source: ${path} exists and is not a socket; remove it or choose another path`);
  if (await live(path)) throw new Error(`socket source: another process listens on ${path}; stop it or choose another path`);
  await unlink(path);
}

/**
 * Listens on the unix socket `path` with file mode `mode`. A socket file nobody answers on (left
 * by a killed agent) is removed first; a live one, or another kind of file, is an error that says so.
 */
export async function listenUnix(server: net.Server, path: string, mode: number): Promise<void> {
  await clearStale(path, answers);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, mode);
}

/** Binds a datagram socket to `path` (a stale socket file replaced, as for {@link listenUnix}) with file mode `mode`. */
export async function bindUnixDgram(socket: UnixDgramSocket, path: string, mode: number): Promise<void> {
  await clearStale(path, receives);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('listening', () => resolve());
    socket.bind(path);
  });
  await chmod(path, mode);
}
