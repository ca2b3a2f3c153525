import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceIO, SourceRead } from '../../../src/actors/io.js';
import { encodeMsgpackFrame } from '../../../src/gate/socket-frames.js';
import { socketSourceKind } from '../../../src/kinds/socket/source.js';
import { payloadText, type LogRecord } from '../../../src/streams/record.js';
import { actorContext } from '../../kit/actor-context.js';
import { eventually } from '../../kit/eventually.js';
import { connectClient, type TestClient } from './client.js';

const ACK = 0x06;
const NAK = 0x15;
const open: SourceIO[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function source(settings: Record<string, unknown>, dir?: string): Promise<{ io: SourceIO; path: string }> {
  const ctx = actorContext({ id: 'socket', ...(dir ? { dir } : {}) });
  const io = socketSourceKind.create(socketSourceKind.config.parse({ path: 'app.sock', ...settings }), ctx);
  await io.connect();
  open.push(io);
  return { io, path: join(ctx.baseDir, 'app.sock') };
}

async function client(path: string): Promise<TestClient> {
  const c = await connectClient(path);
  clients.push(c);
  return c;
}

/** Reads until `n` records and dead records came. */
async function readAll(io: SourceIO, n: number): Promise<{ reads: SourceRead<unknown>[]; records: LogRecord[]; dead: string[] }> {
  const reads: SourceRead<unknown>[] = [];
  while (reads.reduce((k, r) => k + r.records.length + (r.dead?.length ?? 0), 0) < n) reads.push(await io.read());
  return { reads, records: reads.flatMap((r) => r.records), dead: reads.flatMap((r) => (r.dead ?? []).map((d) => d.reason)) };
}

const text = (r: LogRecord): string => `${r.stream ?? '-'}:${payloadText(r.value)}`;

describe('socket source', () => {
  it('reads the line protocol and acks each record only once its batch is committed', async () => {
    const { io, path } = await source({ ack: true });
    const c = await client(path);
    c.socket.write('web GET /a\nweb GET /b\r\napi {"x":1}\n');
    const { reads, records } = await readAll(io, 3);
    expect(records.map(text)).toEqual(['web:GET /a', 'web:GET /b', 'api:{"x":1}']);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.answers, 'no ack before the commit').toEqual([]);
    await io.commit(reads.at(-1)?.position);
    await eventually(() => c.answers.length === 3, { what: 'three acks' });
    expect(c.answers).toEqual([ACK, ACK, ACK]);
  });

  it('dead-letters malformed lines with the reason, answers them NAK in order, and keeps the good neighbours', async () => {
    const { io, path } = await source({ ack: true, maxFrameBytes: 64 });
    const c = await client(path);
    c.socket.write(`a one\nnospace\n ghost\nb ${'x'.repeat(100)}\nc three\n`);
    const { reads, records, dead } = await readAll(io, 5);
    expect(records.map(text)).toEqual(['a:one', 'c:three']);
    expect(dead).toEqual([
      expect.stringContaining('no space after the logId'),
      expect.stringContaining('an empty logId'),
      expect.stringContaining('line longer than maxFrameBytes (64)'),
    ]);
    await io.commit(reads.at(-1)?.position);
    await eventually(() => c.answers.length === 5, { what: 'five answers' });
    expect(c.answers).toEqual([ACK, NAK, NAK, NAK, ACK]);
  });

  it('reads the length-prefixed msgpack form with key, time and headers; a bad frame is dead-lettered, the connection goes on', async () => {
    const { io, path } = await source({ format: 'msgpack', ack: true });
    const c = await client(path);
    const notMsgpack = Buffer.from([0, 0, 0, 2, 0x92, 0x01]); // an array of two with one element
    const noLogId = encodeMsgpackFrame({ logId: '', value: 'v' });
    c.socket.write(Buffer.concat([
      encodeMsgpackFrame({ logId: 'orders', value: Buffer.from([1, 2, 3]), key: 'k1', ts: 1_700_000_000_000, headers: { host: 'h1' } }),
      notMsgpack,
      noLogId,
      encodeMsgpackFrame({ logId: 'orders', value: 'second' }),
    ]));
    const { reads, records, dead } = await readAll(io, 4);
    expect(records[0]).toEqual({ stream: 'orders', value: new Uint8Array([1, 2, 3]), key: 'k1', ts: 1_700_000_000_000, headers: { host: 'h1' } });
    expect(records.map(text)[1]).toBe('orders:second');
    expect(dead).toEqual([expect.stringContaining('not MessagePack'), expect.stringContaining('logId must be a non-empty string')]);
    await io.commit(reads.at(-1)?.position);
    await eventually(() => c.answers.length === 4, { what: 'four answers' });
    expect(c.answers).toEqual([ACK, NAK, NAK, ACK]);
  });

  it('closes only the connection whose length prefix is broken, after taking its good records', async () => {
    const { io, path } = await source({ format: 'msgpack', maxFrameBytes: 1024 });
    const [bad, good] = [await client(path), await client(path)];
    const broken = Buffer.alloc(4);
    broken.writeUInt32BE(1_000_000);
    bad.socket.write(Buffer.concat([encodeMsgpackFrame({ logId: 's', value: 'before' }), broken, encodeMsgpackFrame({ logId: 's', value: 'after' })]));
    await bad.closed;
    good.socket.write(encodeMsgpackFrame({ logId: 's', value: 'other connection' }));
    const { records } = await readAll(io, 2);
    expect(records.map(text)).toEqual(['s:before', 's:other connection']);
    expect(good.socket.destroyed).toBe(false);
    expect(io.status?.()).toMatchObject({ brokenConnections: 1, records: 2 });
  });

  it('replaces a stale socket file left by a killed agent, and refuses a path another process listens on or a plain file', async () => {
    const first = await source({});
    // Stale: a socket file with nobody listening, as kill -9 leaves it.
    const stale = net.createServer();
    const dir = join(first.path, '..', 'stale');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    await new Promise<void>((r) => stale.listen(join(dir, 'app.sock'), r));
    const handle = (stale as unknown as { _handle: { close(): void } })._handle;
    handle.close(); // closes the fd and leaves the file, unlike server.close()
    const again = await source({}, dir);
    const c = await client(again.path);
    c.socket.write('s ok\n');
    expect((await readAll(again.io, 1)).records.map(text)).toEqual(['s:ok']);

    const busy = socketSourceKind.create(socketSourceKind.config.parse({ path: 'app.sock' }), actorContext({ dir: join(first.path, '..') }));
    await expect(busy.connect()).rejects.toThrow(/another process listens on .*app.sock/);
    const fileDir = join(dir, 'file');
    mkdirSync(fileDir);
    writeFileSync(join(fileDir, 'app.sock'), 'x');
    const plain = socketSourceKind.create(socketSourceKind.config.parse({ path: 'app.sock' }), actorContext({ dir: fileDir }));
    await expect(plain.connect()).rejects.toThrow(/exists and is not a socket/);
  });

  it('holds applications back while downstream does not read', async () => {
    const { io, path } = await source({ maxBufferedRecords: 100 });
    const c = await client(path);
    const line = Buffer.from(`s ${'y'.repeat(200)}\n`);
    const all = Buffer.concat(Array.from({ length: 20_000 }, () => line));
    c.socket.write(all);
    await eventually(() => (io.status?.() as { paused: boolean }).paused, { what: 'paused connections' });
    await new Promise((r) => setTimeout(r, 200));
    const buffered = (io.status?.() as { buffered: number }).buffered;
    // One socket read's worth past the bound at most, far from all 20 000.
    expect(buffered).toBeLessThan(2000);
    const { records } = await readAll(io, 20_000);
    expect(records).toHaveLength(20_000);
  });
});
