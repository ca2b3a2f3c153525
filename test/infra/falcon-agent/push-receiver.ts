/**
 * An API-faithful stand-in for the Open-Falcon agent's HTTP push endpoint, because no Open-Falcon
 * build can be fetched here (the Go module proxy answers 403 for github.com/open-falcon/falcon-plus).
 * It implements the documented API exactly: `POST /v1/push` with a JSON array of data points,
 * each with the seven fields endpoint (string), metric (string), timestamp (integer, Unix
 * seconds), step (integer), value (number), counterType (GAUGE or COUNTER) and tags (string,
 * `k=v,k=v`); the reply is `success`, and a blank or malformed body is HTTP 400.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FalconMetric } from '../../../src/cdc/falcon-metric.js';

/** A data point as the agent takes it: the falcon sink's own type, checked field by field below. */
export type PushedMetric = FalconMetric;

export interface PushReceiver {
  /** `http://127.0.0.1:<port>/v1/push`. */
  url: string;
  port: number;
  /** Every accepted push, in arrival order. */
  pushes: PushedMetric[][];
  /** POSTs to /v1/push so far, answered or not (accepted, refused, failed). */
  requests(): number;
  /** Answers the next `n` pushes with `status` (a 5xx outage) instead of accepting them. */
  failNext(n: number, status: number): void;
  /** Holds the next `n` pushes for `ms` before answering (a slow agent). */
  delayNext(n: number, ms: number): void;
  close(): Promise<void>;
}

/** Why `item` is not a data point the agent takes, or undefined when it is one. */
export function malformed(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'not an object';
  const m = item as Record<string, unknown>;
  for (const f of ['endpoint', 'metric', 'tags', 'counterType'] as const) if (typeof m[f] !== 'string') return `${f} must be a string`;
  if (m.endpoint === '' || m.metric === '') return 'endpoint and metric must not be empty';
  for (const f of ['timestamp', 'step'] as const) if (!Number.isInteger(m[f])) return `${f} must be an integer`;
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) return 'value must be a number';
  if (m.counterType !== 'GAUGE' && m.counterType !== 'COUNTER') return 'counterType must be GAUGE or COUNTER';
  return undefined;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** `onPush` sees each accepted push as it is accepted (e.g. to time its arrival). */
export async function startPushReceiver(port = 0, onPush?: (points: readonly PushedMetric[]) => void): Promise<PushReceiver> {
  const pushes: PushedMetric[][] = [];
  let failures: { n: number; status: number } = { n: 0, status: 500 };
  let delays: { n: number; ms: number } = { n: 0, ms: 0 };
  let requests = 0;
  const answer = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  };
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url !== '/v1/push' || req.method !== 'POST') return answer(res, 404, '404 page not found\n');
      requests += 1;
      const text = await body(req);
      if (delays.n > 0) {
        delays.n -= 1;
        await new Promise((r) => setTimeout(r, delays.ms));
      }
      if (failures.n > 0) {
        failures.n -= 1;
        return answer(res, failures.status, 'agent unavailable\n');
      }
      if (text.length === 0) return answer(res, 400, 'body is blank\n');
      let items: unknown;
      try {
        items = JSON.parse(text);
      } catch {
        return answer(res, 400, 'cannot decode body\n');
      }
      if (!Array.isArray(items)) return answer(res, 400, 'cannot decode body\n');
      for (const [i, item] of items.entries()) {
        const why = malformed(item);
        if (why !== undefined) return answer(res, 400, `metric ${i}: ${why}\n`);
      }
      pushes.push(items as PushedMetric[]);
      onPush?.(items as PushedMetric[]);
      answer(res, 200, 'success');
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/v1/push`,
    port: bound,
    pushes,
    requests: () => requests,
    failNext: (n, status) => (failures = { n, status }),
    delayNext: (n, ms) => (delays = { n, ms }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Kept-alive client connections would hold close() open.
        server.closeAllConnections();
      }),
  };
}
