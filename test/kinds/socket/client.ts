import net from 'node:net';

/** An application's connection to the socket source: what it wrote is up to the test, the answer bytes are collected. */
export interface TestClient {
  socket: net.Socket;
  /** Answer bytes received (0x06 ACK, 0x15 NAK), in order. */
  answers: number[];
  /** Resolves when the server ended or dropped the connection. */
  closed: Promise<void>;
}

export async function connectClient(path: string): Promise<TestClient> {
  const socket = net.connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const answers: number[] = [];
  socket.on('data', (b: Buffer) => answers.push(...b));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, answers, closed };
}
