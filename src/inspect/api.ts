import type { ServerResponse } from 'node:http';
import type { InspectSource } from './source.js';
import { SseStream } from './sse.js';

/** Default and ceiling of the records per second one `tap` client receives. */
const defaultTapRate = 100;
const maxTapRate = 10_000;

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const notLive = (res: ServerResponse, what: string): void => sendJson(res, 404, { error: `${what} is only available on a live run, not on a replay` });

function positiveInt(text: string | null, fallback: number, max: number): number {
  const n = Number(text);
  return text === null || !Number.isInteger(n) || n < 0 ? fallback : Math.min(n, max);
}

/** `/api/actors/:id/tap`: sampled records leaving an actor, as SSE `records` events, then `end` at the limit. */
function tap(source: InspectSource, res: ServerResponse, id: string, url: URL): void {
  if (source.tap === undefined) return notLive(res, 'tap');
  const node = source.topology().nodes.find((n) => n.id === id);
  if (node === undefined) return sendJson(res, 404, { error: `no actor "${id}"` });
  if (node.role === 'sink') return sendJson(res, 400, { error: `"${id}" is a sink: no records leave it. Tap one of its inputs (${node.inputs.join(', ') || 'none'})` });
  const limit = positiveInt(url.searchParams.get('limit'), 0, Number.MAX_SAFE_INTEGER);
  const rate = Math.max(1, positiveInt(url.searchParams.get('rate'), defaultTapRate, maxTapRate));
  let sent = 0;
  const stream = new SseStream(res);
  const stop = source.tap(id, limit > 0 ? Math.min(rate, limit) : rate, (records) => {
    if (stream.closed) return;
    const batch = limit > 0 ? records.slice(0, limit - sent) : records;
    sent += batch.length;
    stream.send('records', batch);
    if (limit > 0 && sent >= limit) {
      stop();
      stream.send('end', { sent });
      stream.close();
    }
  });
  stream.onClose(stop);
}

/** A path segment decoded; a malformed escape stays as written (and matches no actor). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Answers the inspector's API routes (GET only; the server checks methods and tokens first).
 * Returns false for paths that are not API routes.
 */
export async function handleApi(source: InspectSource, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  const parts = path.split('/').slice(1).map(decodeSegment);
  if (path === '/health') {
    const health = source.health();
    sendJson(res, health.status === 'failed' ? 503 : 200, health);
  } else if (path === '/metrics') {
    if (source.scrape === undefined) notLive(res, '/metrics');
    else {
      const { contentType, text } = await source.scrape();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(text);
    }
  } else if (path === '/api/info') sendJson(res, 200, source.info());
  else if (path === '/api/topology') sendJson(res, 200, source.topology());
  else if (path === '/api/lifecycle') sendJson(res, 200, source.lifecycle());
  else if (path === '/api/actors') sendJson(res, 200, source.actors());
  else if (path === '/api/cluster') {
    const cluster = source.cluster?.();
    if (cluster === undefined) sendJson(res, 404, { error: 'this run has no cluster view: add coordination: { zookeeper: { connect: host:port } } to the topology so its processes register' });
    else sendJson(res, 200, await cluster);
  } else if (path === '/api/transitions') sendJson(res, 200, { transitions: source.transitions() });
  else if (path === '/api/recording') {
    if (source.recording === undefined) sendJson(res, 404, { error: 'this server is serving a live run, not a recording' });
    else sendJson(res, 200, source.recording());
  } else if (path === '/api/events') {
    if (source.subscribe === undefined) notLive(res, 'the event stream');
    else {
      const stream = new SseStream(res);
      stream.onClose(source.subscribe((t) => stream.send('transition', t)));
    }
  } else if (parts[0] === 'api' && parts[1] === 'actors' && parts.length === 3) {
    const detail = source.actor(parts[2] as string);
    if (detail === undefined) sendJson(res, 404, { error: `no actor "${parts[2]}"` });
    else sendJson(res, 200, detail);
  } else if (parts[0] === 'api' && parts[1] === 'actors' && parts.length === 4 && parts[3] === 'tap') {
    tap(source, res, parts[2] as string, url);
  } else return false;
  return true;
}
