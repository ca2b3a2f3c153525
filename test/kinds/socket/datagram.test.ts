import { mkdtempSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceIO, SourceRead } from '../../../src/actors/io.js';
import { encodeMsgpackFrame } from '../../../src/gate/socket-frames.js';
import { unixDgramSocket, type UnixDgramSocket } from '../../../src/gate/unix-dgram.js';
import { socketSourceKind } from '../../../src/kinds/socket/source.js';
import { payloadText, type LogRecord } from '../../../src/streams/record.js';
import { actorContext } from '../../kit/actor-context.js';
import { eventually } from '../../kit/eventually.js';
import { missingPart } from '../../real-part.js';

const ACK = 0x06;
const NAK = 0x15;

function addonLoads(): boolean {
  try {
    unixDgramSocket().close();
    return true;
  } catch {
    return false;
  }
}

const open: SourceIO[] = [];
const sockets: UnixDgramSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function source(settings: Record<string, unknown>): Promise<{ io: SourceIO; path: string }> {
  const ctx = actorContext({ id: 'dgram' });
  const io = socketSourceKind.create(socketSourceKind.config.parse({ path: 'app.sock', type: 'datagram', ...settings }), ctx);
  await io.connect();
  open.push(io);
  return { io, path: join(ctx.baseDir, 'app.sock') };
}

/** An application's datagram socket, bound to a path of its own so it can be answered. */
async function sender(): Promise<{ send(b: Buffer | string): void; answers: number[] }> {
  const s = unixDgramSocket();
  sockets.push(s);
  const answers: number[] = [];
  s.on('message', (b) => answers.push(...b));
  s.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    s.once('listening', resolve);
    s.bind(join(mkdtempSync(join(tmpdir(), 'millrace-app-')), 'app.sock'));
  });
  return { answers, send: (b) => sockets.length > 0 && target !== undefined && s.send(Buffer.from(b), 0, Buffer.byteLength(b), target) };
}
let target: string | undefined;

async function readAll(io: SourceIO, n: number): Promise<{ reads: SourceRead<unknown>[]; records: LogRecord[]; dead: string[] }> {
  const reads: SourceRead<unknown>[] = [];
  while (reads.reduce((k, r) => k + r.records.length + (r.dead?.length ?? 0), 0) < n) reads.push(await io.read());
  return { reads, records: reads.flatMap((r) => r.records), dead: reads.flatMap((r) => (r.dead ?? []).map((d) => d.reason)) };
}

const text = (r: LogRecord): string => `${r.stream ?? '-'}:${payloadText(r.value)}`;

describe.skipIf(missingPart(addonLoads(), 'the unix-dgram addon', 'npm install unix-dgram (node-gyp: python3, make, g++)'))('socket source, datagrams', () => {
  it('takes one record per datagram in the line form, dead-letters a malformed one, and answers a bound sender in order after the commit', async () => {
    const { io, path } = await source({ ack: true });
    target = path;
    const app = await sender();
    app.send('web GET /a\n');
    app.send('no-payload');
    app.send('web GET /b');
    const { reads, records, dead } = await readAll(io, 3);
    expect(records.map(text)).toEqual(['web:GET /a', 'web:GET /b']);
    expect(dead).toEqual([expect.stringContaining('no space after the logId')]);
    expect(app.answers).toEqual([]);
    await io.commit(reads.at(-1)?.position);
    await eventually(() => app.answers.length === 3, { what: 'three answers' });
    expect(app.answers).toEqual([ACK, NAK, ACK]);
  });

  it('takes the msgpack form, one length-prefixed frame per datagram; a prefix that does not match is dead-lettered', async () => {
    const { io, path } = await source({ format: 'msgpack' });
    target = path;
    const app = await sender();
    const good = encodeMsgpackFrame({ logId: 'orders', value: 'v1', key: 'k' });
    const lying = Buffer.from(good);
    lying.writeUInt32BE(999, 0);
    app.send(good);
    app.send(lying);
    const { records, dead } = await readAll(io, 2);
    expect(records.map((r) => [r.stream, payloadText(r.value), r.key])).toEqual([['orders', 'v1', 'k']]);
    expect(dead).toEqual([expect.stringContaining('length prefix 999 does not match')]);
  });

  it('refuses datagrams beyond maxBufferedRecords (counted, answered NAK in order) instead of growing', async () => {
    const { io, path } = await source({ ack: true, maxBufferedRecords: 10 });
    target = path;
    const app = await sender();
    // Paced: the kernel queues only a few datagrams per unix socket (net.unix.max_dgram_qlen).
    for (let i = 0; i < 25; i++) {
      app.send(`s n${i}`);
      await sleep(2);
    }
    await eventually(() => (io.status?.() as { refused: number; records: number }).records + (io.status?.() as { refused: number }).refused === 25, { what: 'all 25 datagrams seen' });
    const { refused } = io.status?.() as { refused: number };
    expect(refused).toBe(15);
    const { reads, records } = await readAll(io, 10);
    expect(records.map(text)).toEqual(Array.from({ length: 10 }, (_, i) => `s:n${i}`));
    await io.commit(reads.at(-1)?.position);
    await eventually(() => app.answers.length === 25, { what: '25 answers' });
    expect(app.answers).toEqual([...Array.from({ length: 10 }, () => ACK), ...Array.from({ length: 15 }, () => NAK)]);
  });
});
