import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureZooKeeper, type ZooKeeperHandle } from './server.js';

/** Sends a ZooKeeper four-letter command and returns the whole answer. */
function fourLetter(hostPort: string, command: string): Promise<string> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host ?? '127.0.0.1', () => socket.end(command));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (out += chunk));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('ZooKeeper test infrastructure', () => {
  let zk: ZooKeeperHandle | undefined;

  beforeAll(async () => {
    zk = await ensureZooKeeper();
  }, 240_000);

  afterAll(async () => {
    await zk?.stop();
  }, 60_000);

  it('serves Apache ZooKeeper 3.9.5 standalone on 127.0.0.1', async () => {
    if (!zk) throw new Error('not started');
    expect(zk.connect).toMatch(/^[\w.-]+:\d+$/);
    const srvr = await fourLetter(zk.connect, 'srvr');
    expect(srvr).toMatch(/Zookeeper version: 3\.9\.5/);
    expect(srvr).toMatch(/Mode: standalone/);
    expect(await fourLetter(zk.connect, 'ruok')).toBe('imok');
  });

  it('is shared: a second ensureZooKeeper joins the running server and leaving keeps it up', async () => {
    if (!zk) throw new Error('not started');
    const second = await ensureZooKeeper();
    expect(second.connect).toBe(zk.connect);
    await second.stop();
    expect(await fourLetter(zk.connect, 'ruok')).toBe('imok');
  });
});
