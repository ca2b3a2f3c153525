import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { Dispatcher } from '../../src/runtime/dispatcher.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { createTopic, fileSink, sendSeqs, seqsIn, tally } from '../runtime/dispatch-helpers.js';
import { quietLog } from '../runtime/harness.js';
import { millrace } from './process.js';

const TOKEN = 'registry-api-token-0123456789';

describe('millrace streams serve: the registry over HTTP', () => {
  const kafka = useKafka();
  const dir = mkdtempSync(join(tmpdir(), 'millrace-registry-api-'));
  const registryFile = join(dir, 'streams.db');
  let server: ReturnType<typeof millrace> | undefined;
  let base = '';

  const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Response> =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    server = millrace(['streams', 'serve', '--registry', registryFile, '--listen', '127.0.0.1:0', '--token-file', join(dir, 'token')]);
    let stderr = '';
    server.proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    base = await eventually(() => /registry API on (http:\/\/\S+)\/v1\/streams/.exec(stderr)?.[1], { what: 'the API address', timeoutMs: 30_000 });
  }, 60_000);

  afterAll(async () => {
    server?.proc.kill('SIGTERM');
    expect((await server?.exited)?.code).toBe(0);
  }, 30_000);

  it('refuses a request without the token or with a wrong one', async () => {
    const none = await call('GET', '/v1/streams', undefined, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toContain('Authorization: Bearer');
    expect((await call('GET', '/v1/streams', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await call('PUT', '/v1/streams/sneaky', {}, null)).status).toBe(401);
    expect((await call('GET', '/v1/streams/sneaky')).status).toBe(404);
  });

  it('adds, reads, patches and deletes a stream; an invalid setting is a 400 naming the field', async () => {
    const added = await call('PUT', '/v1/streams/api-one', { owner: 'team-a', quotaRecordsPerSec: 100 });
    expect(added.status).toBe(201);
    const created = (await added.json()) as { id: string; token: string; tokenSha256?: string };
    expect(created).toMatchObject({ id: 'api-one', owner: 'team-a', topic: 'api-one' });
    expect(created.token.length).toBeGreaterThanOrEqual(16);
    expect(created.tokenSha256).toBeUndefined();

    const bad = await call('PATCH', '/v1/streams/api-one', { quotaRecordsPerSec: 'lots', format: 'xml' });
    expect(bad.status).toBe(400);
    const why = (await bad.json()) as { fields: { field: string; message: string }[] };
    expect(why.fields.map((f) => f.field).sort()).toEqual(['format', 'quotaRecordsPerSec']);
    expect((await call('PUT', '/v1/streams/bad id', {})).status).toBe(400);

    expect(await (await call('PATCH', '/v1/streams/api-one', { owner: 'team-b' })).json()).toMatchObject({ owner: 'team-b', quotaRecordsPerSec: 100 });
    expect(((await (await call('GET', '/v1/streams')).json()) as { id: string }[]).map((s) => s.id)).toContain('api-one');
    expect((await call('DELETE', '/v1/streams/api-one')).status).toBe(204);
    expect((await call('GET', '/v1/streams/api-one')).status).toBe(404);
  });

  it('a stream PUT over the API is dispatched by a running dispatcher, and a PUT of its sinks moves its records', async () => {
    const registry = await StreamRegistry.open({ path: registryFile });
    const dispatcher = new Dispatcher(registry, { log: quietLog, dataDir: join(dir, 'data'), clusters: new Map([['default', kafka.brokers]]), once: false, pollMs: 200, drainTimeoutMs: 5000 });
    try {
      await dispatcher.start();
      const id = `api-${Date.now()}`;
      await createTopic(kafka.brokers, id, 2);
      await sendSeqs(kafka.brokers, id, 0, 1000);
      expect((await call('PUT', `/v1/streams/${id}`, { sinks: [fileSink('out/first.txt')] })).status).toBe(201);
      await eventually(() => seqsIn(join(dir, 'data', 'out', 'first.txt')).length >= 1000, { what: 'the stream dispatched', timeoutMs: 60_000 });
      // The sink moves to another file: the restarted job resumes from the group's offsets.
      expect((await call('PUT', `/v1/streams/${id}`, { sinks: [{ ...fileSink('out/second.txt'), id: 'moved' }] })).status).toBe(200);
      await eventually(() => dispatcher.status()[0]?.taken === 0, { what: 'the job restarted', timeoutMs: 30_000 });
      await sendSeqs(kafka.brokers, id, 1000, 500);
      // On a timeout the message shows the jobs' state (a restart still draining, its last error).
      await eventually(
        () => {
          expect(seqsIn(join(dir, 'data', 'out', 'second.txt')).length, JSON.stringify(dispatcher.status())).toBeGreaterThanOrEqual(500);
          return true;
        },
        { what: 'the new sink fed', timeoutMs: 60_000 },
      );
      const all = [...seqsIn(join(dir, 'data', 'out', 'first.txt')), ...seqsIn(join(dir, 'data', 'out', 'second.txt'))];
      expect(tally(all, 1500)).toEqual({ missing: 0, doubled: 0 });
    } finally {
      await dispatcher.close();
      await registry.close();
    }
  }, 120_000);
});
