import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventually } from '../kit/eventually.js';
import { collectEvents, endlessTopology, inspected, useRunningInspected } from './helpers.js';
import type { ActorsResponse, InfoView, TopologyView } from '../../src/inspect/types.js';
import type { ActorDetail } from '../../src/inspect/source.js';
import type { LifecycleGraph } from '../../src/inspect/lifecycle-graph.js';

/** A raw request, so tests control the method and the Host header. */
function raw(url: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const get = async <T>(url: string, path: string): Promise<T> => {
  const res = await fetch(new URL(path, url));
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

describe('inspector API on a running topology', () => {
  const run = useRunningInspected();

  it('serves /api/info with the mode, name and health', async () => {
    const info = await get<InfoView>(run.url, 'api/info');
    expect(info).toMatchObject({ mode: 'live', name: 'test', health: { status: 'running' } });
    expect(typeof info.startedAt).toBe('number');
  });

  it('serves the topology graph with kinds, replicas, config, edges and a layout box per actor', async () => {
    const t = await get<TopologyView>(run.url, 'api/topology');
    expect(t.nodes.map((n) => n.id)).toEqual(['gen', 'enrich', 'sink', 'deadletter']);
    expect(t.nodes.find((n) => n.id === 'gen')).toMatchObject({ kind: 'generator', role: 'source', replicas: 1, config: { rate: 2000 } });
    expect(t.nodes.find((n) => n.id === 'deadletter')?.deadLetter).toBe(true);
    expect(t.edges).toEqual([
      { from: 'gen', to: 'enrich' },
      { from: 'enrich', to: 'sink' },
    ]);
    for (const n of t.nodes) expect(t.layout.nodes[n.id]).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
    expect(t.layout.edges).toHaveLength(2);
  });

  it('serves every actor with state, counters, rates, channel, blocked time and status', async () => {
    const res = await eventually(async () => {
      const r = await get<ActorsResponse>(run.url, 'api/actors');
      return (r.actors.find((a) => a.id === 'sink')?.rates.recordsIn ?? 0) > 0 ? r : undefined;
    }, { what: 'a record rate at the sink', timeoutMs: 10_000 });
    expect(res.health.status).toBe('running');
    const sink = res.actors.find((a) => a.id === 'sink');
    expect(sink).toMatchObject({
      kind: 'blackhole',
      role: 'sink',
      replicas: [{ replica: 0, state: expect.stringMatching(/running|paused/), restarts: 0, lastError: null, status: null }],
      restarts: 0,
      errors: 0,
      lastError: null,
      records: { in: expect.any(Number), out: 0 },
      bytes: { in: expect.any(Number), out: 0 },
      rates: { windowMs: expect.any(Number), recordsIn: expect.any(Number), recordsOut: 0, bytesIn: expect.any(Number), bytesOut: 0 },
      channel: { capacityRecords: 64, capacityBytes: 8 * 1024 * 1024, overflow: 'backpressure', dropped: 0, redelivered: 0 },
      blockedMs: expect.any(Number),
      dropped: 0,
      deadLettered: 0,
      history: { recordsIn: expect.any(Array), recordsOut: expect.any(Array) },
    });
    expect(res.actors.find((a) => a.id === 'gen')?.channel).toBeNull();
  });

  it('serves one actor with its config and recent transitions, and 404 for an unknown one', async () => {
    const detail = await get<ActorDetail>(run.url, 'api/actors/enrich');
    expect(detail.actor.id).toBe('enrich');
    expect(detail.node.config).toMatchObject({ export: 'default' });
    expect(detail.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['idle', 'connecting', 'running']));
    expect((await raw(run.url, 'api/actors/nope')).status).toBe(404);
    expect((await raw(run.url, 'api/actors/%E0%A4%A')).status).toBe(404);
  });

  it('serves recent transitions of every actor in the compact form', async () => {
    const { transitions } = await get<{ transitions: unknown[] }>(run.url, 'api/transitions');
    expect(transitions[0]).toEqual({ actor: expect.any(String), replica: 0, from: null, to: 'idle', event: 'init', ts: expect.any(Number) });
  });

  it('serves the lifecycle machine: its states, transitions and layout', async () => {
    const g = await get<LifecycleGraph>(run.url, 'api/lifecycle');
    expect(g.states.map((s) => s.id)).toEqual(['idle', 'connecting', 'backoff', 'online', 'running', 'paused', 'draining', 'stopped', 'failed']);
    expect(g.transitions).toContainEqual({ from: 'running', to: 'paused', events: ['BLOCKED'] });
    expect(g.layout.edges).toHaveLength(g.transitions.length);
  });

  it('exposes Prometheus metrics named by convention, collected from the runtime', async () => {
    const res = await fetch(new URL('metrics', run.url));
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of ['millrace_records_in_total', 'millrace_records_out_total', 'millrace_bytes_in_total', 'millrace_restarts_total', 'millrace_dead_lettered_total', 'millrace_dropped_total', 'millrace_blocked_seconds_total', 'millrace_channel_depth_records', 'millrace_channel_capacity_records', 'millrace_up']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/millrace_records_in_total\{actor="sink"\} [1-9]\d*/);
    expect(text).toContain('millrace_channel_capacity_records{actor="sink"} 64');
    expect(text).toMatch(/millrace_actor_state\{actor="gen",replica="0",state="(running|paused)"\} 1/);
    expect(text).toContain('millrace_up 1');
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_utilization']) expect(text).toMatch(new RegExp(`^${name} [0-9.e+-]+$`, 'm'));
  });

  it('answers /health with 200 while running', async () => {
    const res = await raw(run.url, 'health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'running' });
  });

  it('is read-only: POST, PUT and DELETE get 405 with Allow: GET', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await raw(run.url, 'api/actors', { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET');
    }
  });

  it('turns away a Host header that is not loopback (DNS rebinding)', async () => {
    expect((await raw(run.url, 'api/info', { headers: { host: 'evil.example:9464' } })).status).toBe(403);
    expect((await raw(run.url, 'api/info', { headers: { host: 'localhost:9464' } })).status).toBe(200);
  });

  it('serves the web page with a strict content security policy, and 404 for unknown paths', async () => {
    const page = await raw(run.url, '');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await raw(run.url, 'app.js')).headers['content-type']).toContain('text/javascript');
    expect((await raw(run.url, '../package.json')).status).toBe(404);
    expect((await raw(run.url, 'api/nothing')).status).toBe(404);
  });

  it('taps records leaving an actor only while a client listens, and refuses sinks', async () => {
    const outputs = run.runtime.nodes.get('enrich')?.outputs;
    expect(outputs?.tap).toBeUndefined();
    const events = await collectEvents(run.url, 'api/actors/enrich/tap?limit=3', (e) => e.some((x) => x.event === 'end'));
    const records = events.filter((e) => e.event === 'records').flatMap((e) => e.data as { actor: string; value: string; headers: Record<string, string> }[]);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ actor: 'enrich', encoding: 'utf8', value: expect.stringMatching(/^seq=\d+ x+$/), headers: { tagged: expect.stringMatching(/^k\d$/) } });
    await eventually(() => outputs?.tap === undefined, { what: 'the tap to detach', timeoutMs: 10_000 });
    const sink = await raw(run.url, 'api/actors/sink/tap');
    expect(sink.status).toBe(400);
    expect(JSON.parse(sink.body).error).toContain('is a sink');
  });
});

describe('inspector API with a token', () => {
  it('requires the bearer token on data routes, in a header or ?token=, but not on the page files', async () => {
    const run = await inspected(endlessTopology(), { token: 's3cret-token' });
    try {
      const denied = await raw(run.url, 'api/info');
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toContain('Bearer');
      expect((await raw(run.url, 'metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await raw(run.url, 'api/info', { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
      expect((await raw(run.url, 'api/info?token=s3cret-token')).status).toBe(200);
      expect((await raw(run.url, 'index.html')).status).toBe(200);
    } finally {
      await run.inspector.close();
    }
  });
});
