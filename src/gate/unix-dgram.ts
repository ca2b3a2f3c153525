import { createRequire } from 'node:module';

/** Where a datagram came from: `path` is the sender's bound socket path, null for an unbound sender. */
export interface DatagramSender {
  size: number;
  path: string | null;
}

/** The part of the `unix-dgram` addon's socket millrace uses. */
export interface UnixDgramSocket {
  bind(path: string): void;
  connect(path: string): void;
  send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error) => void): void;
  close(): void;
  on(event: 'message', listener: (buf: Buffer, sender: DatagramSender) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'listening' | 'connect' | 'congestion' | 'writable', listener: () => void): this;
  once(event: 'listening', listener: () => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
}

/**
 * A SOCK_DGRAM unix socket from the `unix-dgram` native addon (Node has none of its own), loaded
 * only when asked for, so stream sockets work without the addon built.
 */
export function unixDgramSocket(): UnixDgramSocket {
  const require = createRequire(import.meta.url);
  let addon: { createSocket(type: 'unix_dgram'): UnixDgramSocket };
  try {
    addon = require('unix-dgram') as typeof addon;
  } catch (err) {
    throw new Error(`socket source: datagram sockets need the unix-dgram addon, which did not load (${(err as Error).message}); install it with \`npm install unix-dgram\` (it builds with node-gyp: python3, make and a C++ compiler), or use type: stream`, { cause: err });
  }
  return addon.createSocket('unix_dgram');
}
