import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../../src/db/stream-registry.js';
import { encodeRecords, transportGrpc } from '../../../src/gate/protocol.js';
import { asText, collectSink, Gate } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { missingPart } from '../../real-part.js';
import { useMariaDbDatabase } from '../database/mariadb.js';
import { batchOf, send, type Transport } from './client.js';
import { runGateway, type RunningGateway } from './harness.js';

const TOKEN_A = 'token-of-stream-a-0001';
const TOKEN_B = 'token-of-stream-b-0002';
const values = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('gateway source', () => {
  it('answers a batch only once the sink stored it', async () => {
    const got: string[] = [];
    const gate = new Gate();
    gate.close();
    running = await runGateway({ streams: { a: TOKEN_A }, sink: collectSink(got, { as: asText, gate }) });
    let answered = false;
    const sent = send(running.client, batchOf('a', TOKEN_A, 'agent-1', 1, values('a', 10))).then((r) => {
      answered = true;
      return r;
    });
    // The batch went downstream: the sink holds it unwritten.
    await eventually(() => running?.status().inFlightBatches === 1, { what: 'the batch handed to the sink' });
    expect(answered).toBe(false);
    expect(got).toEqual([]);
    gate.open();
    const { ack } = await sent;
    expect(ack).toEqual({ sequence: '1', stored: 10, duplicates: 0 });
    expect(got).toEqual(values('a', 10));
  });

  it('pushes back only the stream whose queue is full, with a retry-after, while others are accepted', async () => {
    const got: string[] = [];
    const gate = new Gate();
    gate.close();
    running = await runGateway({
      streams: { a: TOKEN_A, b: TOKEN_B },
      sink: collectSink(got, { as: asText, gate }),
      settings: { queue: { maxRecords: 200 }, retryAfterMs: 150 },
    });
    const client = running.client;
    const accepted: Promise<unknown>[] = [];
    let pushback: grpc.ServiceError | undefined;
    for (let seq = 0; seq < 20 && pushback === undefined; seq++) {
      const reply = send(client, batchOf('a', TOKEN_A, 'agent-1', seq, values(`a${seq}`, 50)));
      const first = await Promise.race([reply, new Promise((r) => setTimeout(() => r('pending'), 100))]);
      if (first === 'pending') accepted.push(reply);
      else pushback = (first as { error?: grpc.ServiceError }).error;
    }
    expect(pushback?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(pushback?.metadata.get('retry-after-ms')).toEqual(['150']);
    expect(accepted).toHaveLength(4);
    // Stream b is not blocked by a's full queue: its batch is taken and answered once stored.
    const b = send(client, batchOf('b', TOKEN_B, 'agent-1', 0, values('b', 50)));
    gate.open();
    expect((await b).ack?.stored).toBe(50);
    await Promise.all(accepted);
    expect(got.filter((v) => v.startsWith('a'))).toHaveLength(200);
    expect(running.status()['a.queueFull']).toBe(1);
    expect(running.status()['b.queueFull']).toBe(0);
  });

  it('answers a retried batch as a duplicate and stores it once, whether it was stored or still on its way', async () => {
    const got: string[] = [];
    const gate = new Gate();
    running = await runGateway({ streams: { a: TOKEN_A }, sink: collectSink(got, { as: asText, gate }) });
    const batch = batchOf('a', TOKEN_A, 'agent-1', 7, values('a', 5));
    expect((await send(running.client, batch)).ack).toEqual({ sequence: '7', stored: 5, duplicates: 0 });
    expect((await send(running.client, batch)).ack).toEqual({ sequence: '7', stored: 0, duplicates: 5 });
    gate.close();
    const next = batchOf('a', TOKEN_A, 'agent-1', 8, values('b', 5));
    const first = send(running.client, next);
    await eventually(() => running?.status().inFlightBatches === 1, { what: 'batch 8 at the sink' });
    const retry = send(running.client, next);
    gate.open();
    expect((await first).ack).toEqual({ sequence: '8', stored: 5, duplicates: 0 });
    expect((await retry).ack).toEqual({ sequence: '8', stored: 0, duplicates: 5 });
    // Another agent's sequence 7 is new data.
    expect((await send(running.client, batchOf('a', TOKEN_A, 'agent-2', 7, values('c', 5)))).ack?.stored).toBe(5);
    expect(got).toEqual([...values('a', 5), ...values('b', 5), ...values('c', 5)]);
    expect(running.status()['a.duplicateBatches']).toBe(2);
    expect(running.status()['a.duplicateRecords']).toBe(10);
  });

  it('serves a stream added while running and refuses one disabled or removed, without a restart', async () => {
    const got: string[] = [];
    running = await runGateway({ streams: { a: TOKEN_A }, sink: collectSink(got, { as: asText }) });
    const late = batchOf('late', TOKEN_B, 'agent-1', 0, values('late', 3));
    expect((await send(running.client, late)).error?.code).toBe(grpc.status.NOT_FOUND);
    const registry = await StreamRegistry.open({ path: running.registryPath });
    try {
      await registry.add({ id: 'late', topic: 'late-topic' }, TOKEN_B);
      const served = await eventually(async () => (await send(running!.client, late)).ack, { what: 'the added stream served' });
      expect(served.stored).toBe(3);
      await registry.disable('late');
      const refused = await eventually(async () => (await send(running!.client, batchOf('late', TOKEN_B, 'agent-1', 1, ['x']))).error, { what: 'the disabled stream refused' });
      expect(refused.code).toBe(grpc.status.NOT_FOUND);
      expect(refused.details).toMatch(/late is disabled or removed/);
      await registry.remove('a');
      const gone = await eventually(async () => (await send(running!.client, batchOf('a', TOKEN_A, 'agent-1', 0, ['y']))).error, { what: 'the removed stream refused' });
      expect(gone.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      await registry.close();
    }
    // Batches sent before a reload took effect were served; none after.
    const stored = got.length;
    expect(got.slice(0, 3)).toEqual(values('late', 3));
    expect((await send(running.client, batchOf('late', TOKEN_B, 'agent-1', 9, ['z']))).error?.code).toBe(grpc.status.NOT_FOUND);
    expect((await send(running.client, batchOf('a', TOKEN_A, 'agent-1', 9, ['z']))).error?.code).toBe(grpc.status.NOT_FOUND);
    expect(got).toHaveLength(stored);
  });

  it('gives each of 10k malformed requests its status, keeps RSS bounded and keeps serving', { timeout: 120_000 }, async () => {
    const got: string[] = [];
    running = await runGateway({ streams: { a: TOKEN_A }, sink: collectSink(got, { as: asText }), settings: { maxBatchRecords: 100, maxBatchBytes: 64 * 1024 } });
    const raw = new grpc.Client(`127.0.0.1:${running.port}`, grpc.credentials.createInsecure());
    const rawSend = (bytes: Buffer): Promise<grpc.ServiceError | null> =>
      new Promise((resolve) =>
        raw.makeUnaryRequest('/millrace.transport.v1.Transport/Send', (b: Buffer) => b, (b: Buffer) => b, bytes, (error) => resolve(error)),
      );
    const huge = { ...batchOf('a', TOKEN_A, 'agent-1', 0, ['x']), records: encodeRecords([{ value: Buffer.alloc(60 * 1024, 7) }, { value: Buffer.alloc(60 * 1024, 8) }], 'NONE'), count: 2 };
    const bomb = { ...batchOf('a', TOKEN_A, 'agent-1', 0, ['x']), records: encodeRecords([{ value: Buffer.alloc(8 * 1024 * 1024) }], 'LZ4') };
    expect(bomb.records.byteLength).toBeLessThan(64 * 1024);
    const kinds = [
      { name: 'bad protobuf', code: grpc.status.INVALID_ARGUMENT, details: /not a Batch message/, call: () => rawSend(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])) },
      { name: 'records not LZ4', code: grpc.status.INVALID_ARGUMENT, details: /not a valid LZ4 frame/, call: async () => (await send(running!.client, { ...batchOf('a', TOKEN_A, 'x', 0, ['x']), records: Buffer.from('garbage') })).error ?? null },
      { name: 'wrong token', code: grpc.status.UNAUTHENTICATED, details: /wrong or missing token for stream a/, call: async () => (await send(running!.client, batchOf('a', 'not-the-token-at-all', 'x', 0, ['x']))).error ?? null },
      { name: 'unknown stream', code: grpc.status.NOT_FOUND, details: /unknown stream/, call: async () => (await send(running!.client, batchOf(`nope-${Math.random()}`, TOKEN_A, 'x', 0, ['x']))).error ?? null },
      { name: 'too many records', code: grpc.status.INVALID_ARGUMENT, details: /more than maxBatchRecords 100/, call: async () => (await send(running!.client, batchOf('a', TOKEN_A, 'x', 0, values('r', 101)))).error ?? null },
      { name: 'LZ4 bomb', code: grpc.status.INVALID_ARGUMENT, details: /records inflate past 65536 bytes/, call: async () => (await send(running!.client, bomb)).error ?? null },
      { name: 'too many bytes', code: grpc.status.INVALID_ARGUMENT, details: /more than maxBatchBytes 65536/, call: async () => (await send(running!.client, huge)).error ?? null },
    ];
    const wrong: string[] = [];
    const round = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, async (_, j) => {
            const kind = kinds[(i + j) % kinds.length]!;
            const error = await kind.call();
            if (error?.code !== kind.code || !kind.details.test(error.details)) wrong.push(`${kind.name}: ${error?.code} ${error?.details}`);
          }),
        );
      }
    };
    await round(2000);
    global.gc?.();
    const before = process.memoryUsage().rss;
    await round(8000);
    global.gc?.();
    const grown = process.memoryUsage().rss - before;
    raw.close();
    expect(wrong.slice(0, 5)).toEqual([]);
    // 8000 requests after warm-up: bounded means no per-request residue (a leak of 8 KiB each would be 64 MB).
    expect(grown).toBeLessThan(48 * 1024 * 1024);
    const refused = running.status();
    expect(refused['refused.invalid-argument']).toBeGreaterThanOrEqual(Math.floor((10_000 * 5) / 7));
    expect(refused['refused.unauthenticated']).toBeGreaterThanOrEqual(Math.floor(10_000 / 7));
    expect(refused['refused.not-found']).toBeGreaterThanOrEqual(Math.floor(10_000 / 7));
    // It still serves good batches.
    expect((await send(running.client, batchOf('a', TOKEN_A, 'agent-1', 1, ['fine']))).ack?.stored).toBe(1);
    expect(got).toEqual(['fine']);
  });
});

describe('gateway HTTP/JSON endpoint', () => {
  it('stores a JSON batch before answering 200, and answers 404, 401, 400 and 429 with a reason', async () => {
    const got: string[] = [];
    running = await runGateway({
      streams: { a: TOKEN_A, q: TOKEN_B },
      sink: collectSink(got, { as: asText }),
      settings: { httpPort: 0, maxBatchRecords: 10 },
    });
    const httpPort = running.status().httpPort as number;
    const post = (stream: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`http://127.0.0.1:${httpPort}/v1/streams/${stream}/records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const ok = await post('a', TOKEN_A, { records: [{ value: 'one' }, { value: { n: 2 }, key: 'k' }] }, { 'x-agent-id': 'h1', 'x-sequence': '1' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sequence: '1', stored: 2, duplicates: 0 });
    expect(got).toEqual(['one', '{"n":2}']);
    const again = await post('a', TOKEN_A, { records: [{ value: 'one' }, { value: { n: 2 }, key: 'k' }] }, { 'x-agent-id': 'h1', 'x-sequence': '1' });
    expect(await again.json()).toEqual({ sequence: '1', stored: 0, duplicates: 2 });

    expect((await post('zzz', TOKEN_A, { records: [{ value: 'x' }] })).status).toBe(404);
    expect((await post('a', 'wrong-token-xxxxxxxx', { records: [{ value: 'x' }] })).status).toBe(401);
    const bad = await post('a', TOKEN_A, { records: [{ valu: 'x' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/records\.0/);
    expect((await post('a', TOKEN_A, '{not json')).status).toBe(400);
    expect((await post('a', TOKEN_A, { records: values('r', 11).map((value) => ({ value })) })).status).toBe(400);
    expect(got).toHaveLength(2);
  });

  it('answers 429 with Retry-After to a stream over its quota', async () => {
    const got: string[] = [];
    running = await runGateway({ streams: { q: TOKEN_B }, sink: collectSink(got, { as: asText }), settings: { httpPort: 0 }, quotaRecordsPerSec: 10 });
    const httpPort = running.status().httpPort as number;
    const post = (): Promise<Response> =>
      fetch(`http://127.0.0.1:${httpPort}/v1/streams/q/records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN_B}` },
        body: JSON.stringify({ records: values('q', 10).map((value) => ({ value })) }),
      });
    expect((await post()).status).toBe(200);
    const pushed = await post();
    expect(pushed.status).toBe(429);
    expect(Number(pushed.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(pushed.headers.get('retry-after')).toBe('1');
    expect(running.status()['q.overQuota']).toBe(1);
  });
});

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

/** A self-signed certificate for 127.0.0.1 and its key, as files. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

describe.skipIf(missingPart(hasOpenssl, 'openssl (to make a test certificate)', 'apt-get install openssl'))('gateway over TLS', () => {
  it('answers gRPC and HTTPS clients that trust its certificate, and no plaintext client', async () => {
    const tls = selfSigned();
    const got: string[] = [];
    running = await runGateway({ streams: { a: TOKEN_A }, sink: collectSink(got, { as: asText }), settings: { tls, httpPort: 0 } });
    const ca = readFileSync(tls.cert);
    const secure = new (transportGrpc())(`127.0.0.1:${running.port}`, grpc.credentials.createSsl(ca)) as unknown as Transport;
    try {
      expect((await send(secure, batchOf('a', TOKEN_A, 'agent-1', 0, ['over tls']))).ack?.stored).toBe(1);
    } finally {
      secure.close();
    }
    const plain = await send(running.client, batchOf('a', TOKEN_A, 'agent-1', 1, ['plain']), 3000);
    expect(plain.error?.code).toBe(grpc.status.UNAVAILABLE);
    const httpPort = running.status().httpPort as number;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: httpPort, path: '/v1/streams/a/records', method: 'POST', ca, headers: { authorization: `Bearer ${TOKEN_A}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ records: [{ value: 'over https' }] }));
    });
    expect(status).toBe(200);
    expect(got).toEqual(['over tls', 'over https']);
  });
});

describe('gateway with its registry on MariaDB', () => {
  const db = useMariaDbDatabase('gateway_registry');

  it('serves a stream added to the server while running and refuses it once disabled', async () => {
    const url = db.url;
    const registry = await StreamRegistry.open({ url });
    const got: string[] = [];
    try {
      running = await runGateway({ streams: {}, sink: collectSink(got, { as: asText }), settings: { registry: { url, reloadMs: 100 } } });
      const batch = batchOf('m', TOKEN_A, 'agent-1', 0, ['from mariadb']);
      expect((await send(running.client, batch)).error?.code).toBe(grpc.status.NOT_FOUND);
      await registry.add({ id: 'm' }, TOKEN_A);
      expect((await eventually(async () => (await send(running!.client, batch)).ack, { what: 'the stream served' })).stored).toBe(1);
      await registry.disable('m');
      const refused = await eventually(async () => (await send(running!.client, batchOf('m', TOKEN_A, 'agent-1', 1, ['late']))).error, { what: 'the stream refused' });
      expect(refused.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      await registry.close();
    }
    expect(got[0]).toBe('from mariadb');
  });
});
