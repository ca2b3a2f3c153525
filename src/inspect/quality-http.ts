import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from '../inspect/api.js';
import { bindRefusal, hasToken, isLoopback, loopbackHostAllowed, type BindAddress } from '../inspect/security.js';
import type { JobStatus } from '../runtime/dispatcher.js';
import type { QualityJudge } from '../quality/quality-judge.js';
import { qualityMetrics } from './quality-metrics.js';

export interface QualityServer {
  server: Server;
  port: number;
}

/**
 * The dispatcher's read-only inspection endpoint: GET /api/jobs (the jobs' status), GET
 * /api/quality[/<stream>] (quality rows per stream) and GET /metrics (Prometheus). Loopback by
 * default; any other address needs a bearer token (as the inspector).
 */
export async function serveQuality(judge: QualityJudge, jobs: () => JobStatus[], address: BindAddress & { token?: string; lookbackMs: number }): Promise<QualityServer> {
  const refusal = bindRefusal(address.host, address.token);
  if (refusal !== undefined) throw new Error(refusal);
  const loopback = isLoopback(address.host);
  const metrics = qualityMetrics(judge, address.lookbackMs);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return sendJson(res, 405, { error: `read-only: ${req.method} is not allowed` });
    if (loopback && !loopbackHostAllowed(req.headers.host)) return sendJson(res, 403, { error: 'Host header must name a loopback address' });
    if (address.token !== undefined && !hasToken(req, url, address.token)) return sendJson(res, 401, { error: 'give the token: Authorization: Bearer <token>' });
    const since = Date.now() - address.lookbackMs;
    const answer = async (): Promise<void> => {
      if (url.pathname === '/metrics') {
        const text = await metrics.scrape();
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      } else if (url.pathname === '/api/jobs') sendJson(res, 200, jobs());
      else if (url.pathname === '/api/quality') {
        const streams: Record<string, unknown[]> = {};
        for (const r of await judge.store.rows(undefined, since)) (streams[r.stream] ??= []).push(r);
        sendJson(res, 200, { graceMs: judge.graceMs, alerts: judge.alerts, streams });
      } else if (url.pathname.startsWith('/api/quality/')) {
        const stream = decodeURIComponent(url.pathname.slice('/api/quality/'.length));
        sendJson(res, 200, { stream, graceMs: judge.graceMs, rows: await judge.store.rows(stream, since) });
      } else sendJson(res, 404, { error: 'routes: /api/jobs, /api/quality, /api/quality/<stream>, /metrics' });
    };
    answer().catch((error: unknown) => sendJson(res, 503, { error: `cannot read the quality table: ${(error as Error).message}` }));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(address.port, address.host, () => done());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
