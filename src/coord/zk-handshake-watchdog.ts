import type { Socket } from 'node:net';
import type { Client } from 'node-zookeeper-client';

/** The parts of node-zookeeper-client's private connection manager the watchdog reads. */
interface ConnectionManager {
  state: number;
  socket?: Socket;
}

/** The connection manager's state between a socket's creation and the server's answer to the session handshake. */
const CONNECTING = 1;

/**
 * Closes a socket that connected but got no answer to the session handshake within
 * `timeoutMs`, so the client tries again. node-zookeeper-client clears its connect timeout as
 * soon as TCP connects and then waits for the handshake answer without limit: a ZooKeeper that
 * accepts a connection while it starts up and never answers it (seen with 3.9 restarted after a
 * kill -9) left the client connecting for good, its session and ephemeral nodes lost with it.
 * Returns a function that stops the watch.
 */
export function watchHandshake(client: Client, timeoutMs: number): () => void {
  const manager = (client as unknown as { connectionManager?: ConnectionManager }).connectionManager;
  if (manager === undefined || typeof manager.state !== 'number') return () => undefined;
  let seen: Socket | undefined;
  // A socket still waiting at two checks one period apart has waited at least a whole period.
  const timer = setInterval(() => {
    const socket = manager.state === CONNECTING && manager.socket?.readyState === 'open' ? manager.socket : undefined;
    if (socket !== undefined && socket === seen) socket.destroy();
    seen = socket;
  }, timeoutMs);
  timer.unref();
  return () => clearInterval(timer);
}
