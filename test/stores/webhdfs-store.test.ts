import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotConnected } from '../../src/core/errors.js';
import { WebHdfsStore } from '../../src/stores/webhdfs-store.js';
import { closedPort } from '../kinds/hdfs/helpers.js';

const filter = { paths: ['**/*'], ignore: [] };
const signal = new AbortController().signal;

describe('webhdfs store without a cluster', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let port = 0;

  beforeAll(async () => {
    // Accepts connections and never answers: a hung NameNode.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('reports a refused connection as not connected, at once', async () => {
    const store = new WebHdfsStore(
      { url: `http://127.0.0.1:${await closedPort()}`, root: '/', timeoutMs: 5000 },
      filter,
    );
    const started = Date.now();
    const error = await store.list(signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotConnected);
    expect(String((error as Error).message)).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on a NameNode that does not answer after timeoutMs, as not connected', async () => {
    const store = new WebHdfsStore(
      { url: `http://127.0.0.1:${port}`, root: '/logs', timeoutMs: 300 },
      filter,
    );
    const started = Date.now();
    const error = await store.probe(signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotConnected);
    expect(String((error as Error).message)).toContain('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
